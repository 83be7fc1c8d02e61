/// Unix timestamps (Harbor's `occur_at`, Docker Hub's `pushed_at`, Harbinger's own clock) rendered as
/// RFC 3339 UTC, without Foundation.
public enum UnixTime {
    /// `2026-11-22T10:00:00Z` for a count of seconds since 1970, nil outside years 0000...9999.
    public static func rfc3339(seconds: Int64) -> String? {
        guard let (date, secondOfDay) = split(seconds) else { return nil }
        return date + time(secondOfDay) + "Z"
    }

    /// `2026-11-22T10:00:00.123Z` for a count of milliseconds since 1970, nil outside years 0000...9999.
    public static func rfc3339(millis: Int64) -> String? {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        guard let (date, secondOfDay) = split(seconds) else { return nil }
        return date + time(secondOfDay) + "." + pad(millis - seconds * 1000, 3) + "Z"
    }

    /// `2026-11-22T` and the second of that day, nil outside years 0000...9999.
    private static func split(_ seconds: Int64) -> (date: String, secondOfDay: Int64)? {
        // 0000-01-01 and 9999-12-31T23:59:59 as Unix seconds: outside them the text would not be RFC 3339.
        guard seconds >= -62_167_219_200, seconds <= 253_402_300_799 else { return nil }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        return (pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T", seconds - days * 86_400)
    }

    /// `10:00:00` for a second of the day.
    private static func time(_ secondOfDay: Int64) -> String {
        pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    /// Seconds from a JSON number that may be written as a float (`1.417566161e+09`) or a numeric string.
    static func seconds(_ cursor: JSONCursor) throws(DecodeError) -> Int64 {
        if case .number(let n) = cursor.value, n.isFinite, abs(n) < 9.0e15 { return Int64(n.rounded(.down)) }
        return try cursor.int()
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
