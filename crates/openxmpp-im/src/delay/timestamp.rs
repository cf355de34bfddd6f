//! XEP-0082 DateTime values, and the legacy XEP-0091 stamp format.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The longest stamp we look at. A XEP-0082 DateTime with nanoseconds and an offset has 35
/// characters; anything much longer is refused before any parsing work.
const MAX_LEN: usize = 64;

/// The first and last instants with a four-digit year (0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59Z), the range XEP-0082's `CCYY` can express.
const MIN_UNIX: i64 = -62_167_219_200;
const MAX_UNIX: i64 = 253_402_300_799;

/// An instant, as written in a XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`).
///
/// It keeps the seconds since the Unix epoch, the nanoseconds and the UTC offset the sender
/// wrote. Equality, ordering and hashing compare the instant only, so `10:00:00+02:00` equals
/// `08:00:00Z`. [`Display`](fmt::Display) writes UTC with a `Z`, as XEP-0203 requires, and the
/// fraction with as many digits as it needs (none for whole seconds).
///
/// Parsing is strict: the separator must be an upper-case `T`, UTC an upper-case `Z` (XML Schema
/// `dateTime`, which XEP-0082 refers to), the date must exist, the year has four digits, and
/// an offset is `±hh:mm` with hours up to 23. Digits after the ninth of the fraction are read
/// but ignored. A leap second (`23:59:60Z` on a day that may have one) is read as the last
/// nanosecond before it.
///
/// ```
/// use openxmpp_im::delay::Timestamp;
///
/// let t: Timestamp = "1969-07-21T04:56:15.5+02:00".parse()?;
/// assert_eq!(t.to_string(), "1969-07-21T02:56:15.5Z");
/// assert_eq!(t.unix_seconds(), -14_159_025);
/// assert_eq!(t.offset_seconds(), 7200);
/// assert_eq!(t, Timestamp::parse("1969-07-21T02:56:15.500Z")?);
/// assert_eq!(Timestamp::parse_legacy("19690721T02:56:15")?, Timestamp::from_unix(-14_159_025, 0).unwrap());
/// # Ok::<(), openxmpp_im::delay::TimestampError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
    offset: i32,
}

/// Why a string is not a valid timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {format} timestamp {value:?}: {reason}")]
pub struct TimestampError {
    format: &'static str,
    reason: &'static str,
    value: String,
}

impl TimestampError {
    fn new(format: &'static str, reason: &'static str, value: &str) -> Self {
        TimestampError {
            format,
            reason,
            value: value.chars().take(MAX_LEN).collect(),
        }
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// The offending value (at most 64 characters of it).
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp {
        seconds: 0,
        nanos: 0,
        offset: 0,
    };

    /// The instant `seconds` and `nanos` after the Unix epoch, in UTC. `None` if `nanos` is a
    /// second or more, or the year would not have four digits.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Self> {
        ((MIN_UNIX..=MAX_UNIX).contains(&seconds) && nanos < 1_000_000_000).then_some(Timestamp {
            seconds,
            nanos,
            offset: 0,
        })
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(&self) -> i64 {
        self.seconds
    }

    /// The nanoseconds within the second.
    pub fn nanosecond(&self) -> u32 {
        self.nanos
    }

    /// The UTC offset the sender wrote, in seconds east of UTC (0 for `Z`).
    pub fn offset_seconds(&self) -> i32 {
        self.offset
    }

    /// Parses a XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`).
    ///
    /// # Errors
    /// A [`TimestampError`] saying which rule the value breaks.
    pub fn parse(value: &str) -> Result<Self, TimestampError> {
        const FORMAT: &str = "XEP-0082";
        let err = |reason| TimestampError::new(FORMAT, reason, value);
        let bytes = value.as_bytes();
        if bytes.len() > MAX_LEN {
            return Err(err("too long"));
        }
        // `time` accepts any separator and a lower-case `z` (RFC 3339 allows them); XML Schema
        // dateTime does not.
        if bytes.get(10) != Some(&b'T') {
            return Err(err("the date and time must be separated by 'T'"));
        }
        if bytes.last() == Some(&b'z') {
            return Err(err("UTC must be written 'Z'"));
        }
        let parsed = OffsetDateTime::parse(value, &Rfc3339).map_err(|e| {
            err(match e {
                time::error::Parse::TryFromParsed(_) => "no such date or time",
                _ => "not in the form CCYY-MM-DDThh:mm:ss[.sss]TZD",
            })
        })?;
        Timestamp::from_offset_date_time(parsed).ok_or_else(|| err("out of range"))
    }

    /// Parses the legacy XEP-0091 (`jabber:x:delay`) stamp `CCYYMMDDThh:mm:ss`, always UTC.
    ///
    /// # Errors
    /// A [`TimestampError`] if the value is not exactly in that form or names no real instant.
    pub fn parse_legacy(value: &str) -> Result<Self, TimestampError> {
        const FORMAT: &str = "XEP-0091";
        let err = |reason| TimestampError::new(FORMAT, reason, value);
        let b = value.as_bytes();
        let shape_ok = b.len() == 17
            && b[8] == b'T'
            && b[11] == b':'
            && b[14] == b':'
            && b.iter()
                .enumerate()
                .all(|(i, c)| matches!(i, 8 | 11 | 14) || c.is_ascii_digit());
        if !shape_ok {
            return Err(err("not in the form CCYYMMDDThh:mm:ss"));
        }
        let num = |from: usize, to: usize| {
            b[from..to]
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        };
        let (year, month, day) = (num(0, 4), num(4, 6), num(6, 8));
        let (hour, minute, second) = (num(9, 11), num(12, 14), num(15, 17));
        let date = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .and_then(|m| {
                let day = u8::try_from(day).ok()?;
                let year = i32::try_from(year).ok()?;
                Date::from_calendar_date(year, m, day).ok()
            });
        let time = match (
            u8::try_from(hour),
            u8::try_from(minute),
            u8::try_from(second),
        ) {
            (Ok(h), Ok(m), Ok(s)) => Time::from_hms(h, m, s).ok(),
            _ => None,
        };
        let (Some(date), Some(time)) = (date, time) else {
            return Err(err("no such date or time"));
        };
        Timestamp::from_offset_date_time(PrimitiveDateTime::new(date, time).assume_utc())
            .ok_or_else(|| err("out of range"))
    }

    fn from_offset_date_time(t: OffsetDateTime) -> Option<Self> {
        let mut stamp = Timestamp::from_unix(t.unix_timestamp(), t.nanosecond())?;
        stamp.offset = t.offset().whole_seconds();
        Some(stamp)
    }
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second) = (secs / 3600, secs / 60 % 60, secs % 60);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        )?;
        if self.nanos != 0 {
            let mut nanos = self.nanos;
            let mut width = 9;
            while nanos.is_multiple_of(10) {
                nanos /= 10;
                width -= 1;
            }
            write!(f, ".{nanos:0width$}")?;
        }
        f.write_str("Z")
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        (self.seconds, self.nanos) == (other.seconds, other.nanos)
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders by instant.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.seconds, self.nanos).cmp(&(other.seconds, other.nanos))
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.seconds, self.nanos).hash(state);
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = TimestampError;

    /// The instant a [`SystemTime`] names (which the caller read; this crate never does).
    fn try_from(t: SystemTime) -> Result<Self, Self::Error> {
        let out_of_range = || TimestampError::new("SystemTime", "out of range", "");
        let (seconds, nanos) = match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => (
                i64::try_from(d.as_secs()).map_err(|_| out_of_range())?,
                d.subsec_nanos(),
            ),
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).map_err(|_| out_of_range())?;
                match d.subsec_nanos() {
                    0 => (-secs, 0),
                    n => (-secs - 1, 1_000_000_000 - n),
                }
            }
        };
        Timestamp::from_unix(seconds, nanos).ok_or_else(out_of_range)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> SystemTime {
        let secs = Duration::from_secs(t.seconds.unsigned_abs());
        let base = if t.seconds >= 0 {
            SystemTime::UNIX_EPOCH + secs
        } else {
            SystemTime::UNIX_EPOCH - secs
        };
        base + Duration::from_nanos(u64::from(t.nanos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn test_simple() {
        // XEP-0082 §3.2 examples.
        let t = ts("1969-07-21T02:56:15Z");
        assert_eq!(t.unix_seconds(), -14_159_025);
        assert_eq!(t.nanosecond(), 0);
        let t = ts("1969-07-20T21:56:15-05:00");
        assert_eq!(t.unix_seconds(), -14_159_025);
        assert_eq!(t.offset_seconds(), -5 * 3600);
        assert_eq!(t.to_string(), "1969-07-21T02:56:15Z");
        let t = ts("2002-09-10T23:08:25.123Z");
        assert_eq!(t.nanosecond(), 123_000_000);
        assert_eq!(t.to_string(), "2002-09-10T23:08:25.123Z");
        assert_eq!(ts("1970-01-01T00:00:00Z").unix_seconds(), 0);
        assert_eq!(
            ts("2000-02-29T12:00:00+00:00").to_string(),
            "2000-02-29T12:00:00Z"
        );
        assert_eq!(ts("1970-01-01T00:00:00.000000001Z").nanosecond(), 1);
        // Digits after the ninth are read and ignored.
        assert_eq!(
            ts("1970-01-01T00:00:00.1234567891234Z").nanosecond(),
            123_456_789
        );
        // A leap second where one may occur.
        assert_eq!(
            ts("2016-12-31T23:59:60Z").to_string(),
            "2016-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn legacy() {
        // XEP-0091 examples.
        let t = Timestamp::parse_legacy("20020910T23:08:25").unwrap();
        assert_eq!(t, ts("2002-09-10T23:08:25Z"));
        assert_eq!(t.offset_seconds(), 0);
        for bad in [
            "",
            "2002-09-10T23:08:25Z",
            "20020910T23:08:25Z",
            "20020910 23:08:25",
            "20021310T23:08:25",
            "20020230T23:08:25",
            "20020910T24:08:25",
            "20020910T23:60:25",
            "20020910T23:08:60",
            "2002091aT23:08:25",
            "٢٠٠٢0910T23:08:25",
        ] {
            assert!(Timestamp::parse_legacy(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn test_invalid() {
        for bad in [
            "",
            "1969-07-21",
            "1969-07-21T02:56:15",
            "1969-07-21t02:56:15Z",
            "1969-07-21 02:56:15Z",
            "1969-07-21T02:56:15z",
            "1969-07-21T02:56Z",
            "69-07-21T02:56:15Z",
            "+1969-07-21T02:56:15Z",
            "-1969-07-21T02:56:15Z",
            "11969-07-21T02:56:15Z",
            "1969-13-21T02:56:15Z",
            "1969-00-21T02:56:15Z",
            "1969-02-29T02:56:15Z",
            "1969-04-31T02:56:15Z",
            "1969-07-21T24:00:00Z",
            "1969-07-21T02:60:15Z",
            "1969-07-21T02:56:61Z",
            "1969-07-21T02:56:60Z",
            "1969-07-21T02:56:15.Z",
            "1969-07-21T02:56:15+24:00",
            "1969-07-21T02:56:15+05",
            "1969-07-21T02:56:15+0500",
            "1969-07-21T02:56:15+05:60",
            "1969-07-21T02:56:15Z ",
            " 1969-07-21T02:56:15Z",
            "1969-07-21T02:56:15ZZ",
            "1969-07-21T02:56:15Zjunk",
            "1969-07-21T02:56:１５Z",
            "1969-07-21T02:56:15.５Z",
            "１969-07-21T02:56:15Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("1970-01-01T00:00:00.{}Z", "1".repeat(100_000));
        let err = Timestamp::parse(&long).unwrap_err();
        assert_eq!(err.reason(), "too long");
        assert!(err.value().chars().count() <= 64);
        assert_eq!(
            Timestamp::parse("1969-02-29T02:56:15Z")
                .unwrap_err()
                .to_string(),
            "invalid XEP-0082 timestamp \"1969-02-29T02:56:15Z\": no such date or time"
        );
    }

    #[test]
    fn range_and_offsets() {
        assert_eq!(ts("0000-01-01T00:00:00Z").unix_seconds(), MIN_UNIX);
        assert_eq!(ts("9999-12-31T23:59:59Z").unix_seconds(), MAX_UNIX);
        // Valid syntax, but the instant leaves the four-digit years.
        assert!(Timestamp::parse("0000-01-01T00:00:00+01:00").is_err());
        assert!(Timestamp::parse("9999-12-31T23:59:59-01:00").is_err());
        assert!(Timestamp::from_unix(MAX_UNIX + 1, 0).is_none());
        assert!(Timestamp::from_unix(MIN_UNIX - 1, 0).is_none());
        assert!(Timestamp::from_unix(0, 1_000_000_000).is_none());
        assert_eq!(
            Timestamp::from_unix(MIN_UNIX, 0).unwrap().to_string(),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix(MAX_UNIX, 999_999_999)
                .unwrap()
                .to_string(),
            "9999-12-31T23:59:59.999999999Z"
        );
        assert_eq!(
            ts("2024-01-01T00:30:00+00:45").to_string(),
            "2023-12-31T23:45:00Z"
        );
        assert!(ts("2024-01-01T00:00:00Z") < ts("2024-01-01T00:00:00.000000001Z"));
        assert_eq!(ts("2024-01-01T02:00:00+02:00"), ts("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn display_agrees_with_the_time_crate() {
        let mut seconds = MIN_UNIX;
        while seconds <= MAX_UNIX {
            let ours = Timestamp::from_unix(seconds, 0).unwrap().to_string();
            let t = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
            let (y, m, d) = t.to_calendar_date();
            let (hh, mm, ss) = t.to_hms();
            let theirs = format!("{y:04}-{:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z", u8::from(m));
            assert_eq!(ours, theirs);
            seconds += 7_777_777; // about 90 days and an odd number of seconds
        }
    }

    #[test]
    fn mangled_stamps_never_panic() {
        let valid = "2002-09-10T23:08:25.123+02:00";
        let legacy = "20020910T23:08:25";
        let replacements = [
            "", "0", "9", "T", "Z", "z", ":", "-", "+", ".", " ", "é", "\u{0}", "99",
        ];
        for base in [valid, legacy] {
            for (i, _) in base.char_indices() {
                for r in replacements {
                    let mangled = format!("{}{r}{}", &base[..i], &base[i + 1..]);
                    let _ = Timestamp::parse(&mangled);
                    let _ = Timestamp::parse_legacy(&mangled);
                    let inserted = format!("{}{r}{}", &base[..i], &base[i..]);
                    let _ = Timestamp::parse(&inserted);
                    let _ = Timestamp::parse_legacy(&inserted);
                }
                let _ = Timestamp::parse(&base[..i]);
                let _ = Timestamp::parse_legacy(&base[..i]);
            }
        }
    }

    #[test]
    fn round_trips() {
        for s in [
            "1969-07-21T02:56:15Z",
            "2002-09-10T23:08:25.123Z",
            "1999-12-31T23:59:59.000000001Z",
            "2024-02-29T00:00:00.5Z",
        ] {
            assert_eq!(ts(s).to_string(), s);
            assert_eq!(ts(&ts(s).to_string()), ts(s));
        }
        for (secs, nanos) in [(0, 0), (-1, 999_999_999), (1_700_000_000, 42)] {
            let t = Timestamp::from_unix(secs, nanos).unwrap();
            assert_eq!(ts(&t.to_string()), t);
            assert_eq!(Timestamp::try_from(SystemTime::from(t)).unwrap(), t);
        }
    }
}
