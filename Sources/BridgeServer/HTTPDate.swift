#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header's value, an IMF-fixdate (RFC 9110, 5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var now: String { format(time(nil)) }

    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var utc = tm()
        gmtime_r(&seconds, &utc)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(utc.tm_wday)]), \(two(utc.tm_mday)) \(months[Int(utc.tm_mon)]) \(utc.tm_year + 1900) "
            + "\(two(utc.tm_hour)):\(two(utc.tm_min)):\(two(utc.tm_sec)) GMT"
    }
}
