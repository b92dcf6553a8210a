import CPSIdentity

extension CardService {
    /// Readers, cards, holders and PIN states now. Nothing here spends a PIN try, and the card
    /// is asked only what is not known yet: the holder once per insertion, the PIN state once
    /// per insertion and after each login (a card busy with a login shows what is cached).
    public func status() async -> StatusReport {
        if let known = knownStatus() { return known }
        return await readStatus()
    }

    /// The status as `status()` reads it when `knownStatus()` is nil: waits for the monitor
    /// (and for the module when a CPx card is present), takes from each session what it knows
    /// and asks the card the rest. For a caller that has just tried `knownStatus()` (a
    /// WebSocket `status`), so that it is not tried twice.
    public func readStatus() async -> StatusReport {
        await monitor.waitUntilSynchronised()
        let snapshots = monitor.readers
        if !isModuleSettled, snapshots.contains(where: Self.holdsCPxCard) {
            // The module is still loading: the holders and PIN states read over PC/SC just
            // before it (`EarlyCardReads`), unless a card could not be read so; then the
            // module is waited for.
            await earlyReads.wait()
            if let early = knownReadEarly(snapshots) { return early }
            _ = await module.wait()
        }
        var readers: [ReaderStatus] = []
        for snapshot in snapshots {
            var status = snapshot.card.map(Self.cardStatus)
            if var card = status, let session = authenticatingSession(snapshot) {
                await Self.fill(&card, from: session)
                status = card
            }
            readers.append(ReaderStatus(name: snapshot.name, card: status))
        }
        return StatusReport(readers: readers, module: modulePath, problems: problems)
    }

    /// The status now, when it takes neither a card call nor a wait: the monitor has
    /// synchronised and every CPx card's holder and PIN state are known (`cachedStatus`; so
    /// the module has loaded). With no CPx card present, the module is not waited for: a
    /// status answers as soon as the daemon listens. `module` is then nil while it loads
    /// (`waitForModule()` first for a report that names it).
    /// Nil otherwise; `status()` then reads what is missing. A WebSocket `status` is answered
    /// from this in the connection's own task, with no task of its own.
    public func knownStatus() -> StatusReport? {
        guard monitor.isSynchronised else { return nil }
        let snapshots = monitor.readers
        if !isModuleSettled, snapshots.contains(where: Self.holdsCPxCard) { return knownReadEarly(snapshots) }
        return report(snapshots) { snapshot in
            // A card with no session (no module) is shown as the monitor knows it.
            guard let session = authenticatingSession(snapshot) else { return .notRead }
            return session.cachedStatus.map { .known($0.holder, $0.pin) } ?? .missing
        }
    }

    /// The status from what was read over PC/SC while the module loads, when every CPx card's
    /// holder is known so; nil otherwise.
    private func knownReadEarly(_ snapshots: [ReaderSnapshot]) -> StatusReport? {
        report(snapshots) { snapshot in
            guard let found = earlyReads.found(for: snapshot), let pin = found.pin else { return .missing }
            return .known(found.holder, pin)
        }
    }

    /// What is known of a CPx card's holder and PIN state without a card call.
    private enum Known {
        case known(HolderIdentity, PINState)
        /// Not to be read: shown as the monitor knows it.
        case notRead
        /// Not known yet: the status needs a read.
        case missing
    }

    /// The status of `snapshots` with each CPx card's holder and PIN state from `known`; nil
    /// when one is `missing`.
    private func report(_ snapshots: [ReaderSnapshot], known: (ReaderSnapshot) -> Known) -> StatusReport? {
        var readers: [ReaderStatus] = []
        for snapshot in snapshots {
            var status = snapshot.card.map(Self.cardStatus)
            if Self.holdsCPxCard(snapshot) {
                switch known(snapshot) {
                case .known(let holder, let pin):
                    status?.holder = holder
                    status?.pin = pin
                case .notRead:
                    break
                case .missing:
                    return nil
                }
            }
            readers.append(ReaderStatus(name: snapshot.name, card: status))
        }
        return StatusReport(readers: readers, module: modulePath, problems: problems)
    }

    /// Whether `snapshot` holds a card that logs in (its status needs the module).
    private static func holdsCPxCard(_ snapshot: ReaderSnapshot) -> Bool {
        snapshot.card?.kind.canAuthenticate == true
    }

    /// What is wrong with the daemon's own means: pcscd, the PKCS#11 module.
    private var problems: [String] {
        var problems: [String] = []
        if !monitor.isServiceAvailable {
            problems.append("pcscd is not running or refuses us: start it (systemctl start pcscd.socket) or check its permissions")
        }
        if case .failure(let error)? = module.result {
            if case .internal(let detail) = error { problems.append(detail) } else { problems.append(error.code) }
        }
        return problems
    }

    /// A card as the monitor knows it: kind, ATR, and why it cannot log in if it cannot.
    private static func cardStatus(_ card: CardPresence) -> CardStatus {
        CardStatus(kind: card.kind, atr: card.atr, pin: nil, holder: nil, problem: card.kind.unsupportedReason)
    }

    /// The session of the card in `snapshot` when it is a card that logs in.
    private func authenticatingSession(_ snapshot: ReaderSnapshot) -> CardSession? {
        guard let card = snapshot.card, card.kind.canAuthenticate else { return nil }
        return try? session(for: snapshot)
    }

    /// The holder and PIN state of the card in `session`: from what the session already knows
    /// when nothing can have changed it (no hop onto the card's thread, no wait behind a
    /// login), else read from the card under a deadline.
    private static func fill(_ status: inout CardStatus, from session: CardSession) async {
        if let (holder, pin) = session.cachedStatus {
            status.holder = holder
            status.pin = pin
            return
        }
        do throws(AuthenticationError) {
            // One call on the card's thread for both: one hop there and one back. The holder
            // is shown even when the PIN state then cannot be read.
            let (holder, pin) = try await withDeadline(.seconds(5), on: session.cardThread) {
                () throws(AuthenticationError) -> (HolderIdentity, Result<PINState, AuthenticationError>) in
                let holder = try await session.readCredentials().holder
                do throws(AuthenticationError) {
                    return (holder, .success(try await session.statusPINState()))
                } catch {
                    return (holder, .failure(error))
                }
            }
            status.holder = holder
            status.pin = try pin.get()
        } catch {
            status.problem = error == .timeout ? "the card is busy" : "the card could not be read (\(error.code))"
        }
    }
}

extension CardService {
    /// The authentication certificate and holder of the card in `reader` (or of the only CPx
    /// card), without a PIN.
    public func certificate(reader: String?) async -> Result<CardCredentials, AuthenticationError> {
        await waitUntilReady()
        let snapshots = monitor.readers
        let chosen: ReaderSnapshot
        switch AuthenticationFlow.chooseCard(readers: snapshots.map(\.name), cards: CardCandidate.present(in: snapshots), wanted: reader) {
        case .success(let candidate):
            guard let snapshot = snapshots.first(where: { $0.name == candidate.reader }) else { return .failure(.noCard) }
            chosen = snapshot
        case .failure(let error):
            return .failure(error)
        }
        do throws(AuthenticationError) {
            let session = try session(for: chosen)
            return .success(try await withDeadline(configuration.operationTimeout, on: session.cardThread) { () throws(AuthenticationError) in
                try await session.readCredentials()
            })
        } catch {
            return .failure(error)
        }
    }
}

extension CardCandidate {
    /// The cards in `snapshots`, PIN pads not yet asked about.
    static func present(in snapshots: [ReaderSnapshot]) -> [CardCandidate] {
        snapshots.compactMap { snapshot in
            snapshot.card.map { CardCandidate(reader: snapshot.name, kind: $0.kind, hasPINPad: false) }
        }
    }
}
