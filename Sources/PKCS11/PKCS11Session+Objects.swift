import CPKCS11

/// An object on a token, as a session sees it (`CK_OBJECT_HANDLE`): valid in the sessions of
/// the application that found it, until the token is removed or the module finalised.
public struct ObjectHandle: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt

    public init(rawValue: UInt) {
        self.rawValue = rawValue
    }
}

extension PKCS11Session {
    /// The objects matching every attribute of `template` (`C_FindObjectsInit`,
    /// `C_FindObjects`, `C_FindObjectsFinal`). Private objects show only after `login`.
    public func findObjects(_ template: [Attribute]) throws -> [ObjectHandle] {
        let session = try handle(for: "C_FindObjectsInit")
        try withTemplate(template) { attributes, count in
            try functions.call("C_FindObjectsInit", \.C_FindObjectsInit) { $0(session, attributes, count) }
        }
        var found: [ObjectHandle] = []
        do {
            var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 32)
            while true {
                var count: CK_ULONG = 0
                let capacity = CK_ULONG(batch.count)
                try batch.withUnsafeMutableBufferPointer { buffer in
                    try functions.call("C_FindObjects", \.C_FindObjects) {
                        $0(session, buffer.baseAddress, capacity, &count)
                    }
                }
                found += batch.prefix(Int(count)).map { ObjectHandle(rawValue: UInt($0)) }
                if count == 0 {
                    break
                }
            }
        } catch {
            try? finishFind(session)
            throw error
        }
        try finishFind(session)
        return found
    }

    private func finishFind(_ session: CK_SESSION_HANDLE) throws {
        try functions.call("C_FindObjectsFinal", \.C_FindObjectsFinal) { $0(session) }
    }

    /// The objects of a class, label and ID (each nil to match any), e.g. the CPS
    /// authentication key: `findObjects(class: .privateKey, label: "CPS_PRIV_AUT")`.
    public func findObjects(class objectClass: ObjectClass? = nil, label: String? = nil, id: [UInt8]? = nil) throws -> [ObjectHandle] {
        var template: [Attribute] = []
        if let objectClass { template.append(.objectClass(objectClass)) }
        if let label { template.append(.label(label)) }
        if let id { template.append(.id(id)) }
        return try findObjects(template)
    }

    /// Reads attributes of `object` (`C_GetAttributeValue`). Attributes the module does not
    /// give (sensitive, or not on this object) come back as `.unavailable(code)`.
    ///
    /// - Throws: `PKCS11Error` naming `C_GetAttributeValue` for anything else
    ///   (`.objectHandleInvalid`, `.sessionHandleInvalid`...).
    public func attributes(_ types: [AttributeType], of object: ObjectHandle) throws -> ObjectAttributes {
        let session = try handle(for: "C_GetAttributeValue")
        // First the lengths of all of them.
        let lengths = try attributeLengths(session, object, types)
        var values: [AttributeType: ObjectAttributes.Value] = [:]
        let unavailable = types.indices.filter { lengths.lengths[$0] == nil }
        if unavailable.count == 1 {
            values[types[unavailable[0]]] = .unavailable(lengths.code)
        } else {
            // Several missing: the call gave one code for all, so ask each for its own.
            for index in unavailable {
                let single = try attributeLengths(session, object, [types[index]])
                values[types[index]] = .unavailable(single.code)
            }
        }
        // Then the values of those available.
        let available = types.indices.filter { lengths.lengths[$0] != nil }
        let buffers = available.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max(lengths.lengths[$0]!, 1), alignment: 8) }
        defer { buffers.forEach { $0.deallocate() } }
        var template = zip(available, buffers).map { index, buffer in
            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(types[index].rawValue), pValue: buffer.baseAddress, ulValueLen: CK_ULONG(lengths.lengths[index]!))
        }
        if !template.isEmpty {
            let code = try getAttributeValue(session, object, &template)
            guard code == .ok else {
                throw PKCS11Error(code, function: "C_GetAttributeValue")
            }
        }
        for (position, index) in available.enumerated() {
            let length = Int(template[position].ulValueLen)
            values[types[index]] = .bytes(Array(UnsafeRawBufferPointer(rebasing: buffers[position].prefix(length))))
        }
        return ObjectAttributes(values: values)
    }

    /// One attribute of `object` (`C_GetAttributeValue`).
    ///
    /// - Throws: `PKCS11Error` naming `C_GetAttributeValue`: `.attributeSensitive`,
    ///   `.attributeTypeInvalid`, `.objectHandleInvalid`...
    public func attribute(_ type: AttributeType, of object: ObjectHandle) throws -> [UInt8] {
        try attributes([type], of: object).bytes(type)
    }

    /// Asks the lengths of `types`: nil where the module says `CK_UNAVAILABLE_INFORMATION`.
    private func attributeLengths(
        _ session: CK_SESSION_HANDLE, _ object: ObjectHandle, _ types: [AttributeType]
    ) throws -> (lengths: [Int?], code: PKCS11ReturnValue) {
        var template = types.map { CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE($0.rawValue), pValue: nil, ulValueLen: 0) }
        let code = try getAttributeValue(session, object, &template)
        guard code == .ok || code == .attributeSensitive || code == .attributeTypeInvalid else {
            throw PKCS11Error(code, function: "C_GetAttributeValue")
        }
        let unavailable = CK_ULONG.max  // CK_UNAVAILABLE_INFORMATION
        return (template.map { $0.ulValueLen == unavailable ? nil : Int($0.ulValueLen) }, code)
    }

    /// The one call of `C_GetAttributeValue`; the caller judges the code.
    private func getAttributeValue(
        _ session: CK_SESSION_HANDLE, _ object: ObjectHandle, _ template: inout [CK_ATTRIBUTE]
    ) throws -> PKCS11ReturnValue {
        try template.withUnsafeMutableBufferPointer { buffer in
            try functions.returnValue("C_GetAttributeValue", \.C_GetAttributeValue) {
                $0(session, CK_OBJECT_HANDLE(object.rawValue), buffer.baseAddress, CK_ULONG(buffer.count))
            }
        }
    }

    /// Lends `attributes` to C as a `CK_ATTRIBUTE` array whose values live for the call.
    private func withTemplate<Result>(
        _ attributes: [Attribute],
        _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws -> Result
    ) rethrows -> Result {
        let buffers = attributes.map { attribute in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(attribute.value.count, 1), alignment: 8)
            buffer.copyBytes(from: attribute.value)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var template = zip(attributes, buffers).map { attribute, buffer in
            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(attribute.type.rawValue), pValue: buffer.baseAddress, ulValueLen: CK_ULONG(attribute.value.count))
        }
        return try template.withUnsafeMutableBufferPointer { try body($0.baseAddress, CK_ULONG($0.count)) }
    }
}
