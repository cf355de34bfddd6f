//! Entity time (XEP-0202).
//!
//! This crate never reads the clock: the caller supplies the time as XEP-0082 strings, which
//! are checked for shape (and plausible ranges) both when built and when parsed.
//!
//! ```
//! use openxmpp_im::time::{EntityTime, EntityTimeQuery};
//!
//! let request = EntityTimeQuery::request("juliet@capulet.com/balcony".parse()?);
//! let now = EntityTime::new("-06:00", "2006-12-19T17:58:35Z")?;
//! assert_eq!(now.tzo_minutes(), -360);
//! let answer = request.result(Some(now.into()));
//! assert!(answer.payload_element().is_some());
//! assert!(EntityTime::new("+25:00", "2006-12-19T17:58:35Z").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Iq, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

/// The entity time namespace.
pub const NS: &str = "urn:xmpp:time";

/// The empty `<time/>` asking an entity for its time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntityTimeQuery;

impl EntityTimeQuery {
    /// The request to `to`, with an empty id for the connection to assign.
    pub fn request(to: Jid) -> Iq {
        Iq::get("", EntityTimeQuery.into()).to(to)
    }
}

/// An entity's time: its time zone offset and the current UTC time, as XEP-0082 strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTime {
    /// The offset from UTC: `Z` or `±hh:mm`.
    tzo: String,
    /// The UTC time: `CCYY-MM-DDThh:mm:ss[.sss]Z`.
    utc: String,
}

impl EntityTime {
    /// Checks and wraps `tzo` (`Z` or `±hh:mm`) and `utc` (`CCYY-MM-DDThh:mm:ss[.fraction]Z`,
    /// with at most 9 fraction digits).
    ///
    /// # Errors
    /// [`StanzaParseError::InvalidValue`] naming `tzo` or `utc`.
    pub fn new(tzo: impl Into<String>, utc: impl Into<String>) -> Result<Self, StanzaParseError> {
        let (tzo, utc) = (tzo.into(), utc.into());
        if parse_tzo(&tzo).is_none() {
            return Err(invalid("tzo", &tzo));
        }
        if !valid_utc(&utc) {
            return Err(invalid("utc", &utc));
        }
        Ok(EntityTime { tzo, utc })
    }

    /// The time zone offset as written.
    pub fn tzo(&self) -> &str {
        &self.tzo
    }

    /// The UTC time as written.
    pub fn utc(&self) -> &str {
        &self.utc
    }

    /// The time zone offset in minutes east of UTC.
    pub fn tzo_minutes(&self) -> i32 {
        parse_tzo(&self.tzo).unwrap_or(0)
    }
}

fn invalid(what: &'static str, value: &str) -> StanzaParseError {
    StanzaParseError::InvalidValue {
        element: "time",
        what,
        value: value.chars().take(64).collect(),
    }
}

/// `n` ASCII digits as a number.
fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Minutes east of UTC of a XEP-0082 TZD (`Z` or `±hh:mm`, hours below 24).
fn parse_tzo(tzo: &str) -> Option<i32> {
    if tzo == "Z" {
        return Some(0);
    }
    let b = tzo.as_bytes();
    let [sign, h1, h2, b':', m1, m2] = *b else {
        return None;
    };
    let (hours, minutes) = (digits(&[h1, h2])?, digits(&[m1, m2])?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let total = i32::try_from(hours * 60 + minutes).ok()?;
    match sign {
        b'+' => Some(total),
        b'-' => Some(-total),
        _ => None,
    }
}

/// Whether `utc` is a XEP-0082 DateTime in UTC with a real calendar date.
fn valid_utc(utc: &str) -> bool {
    let b = utc.as_bytes();
    if b.len() < 20 || b.len() > 30 || b[b.len() - 1] != b'Z' {
        return false;
    }
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return false;
    }
    let field = |from: usize, to: usize| digits(&b[from..to]);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        field(0, 4),
        field(5, 7),
        field(8, 10),
        field(11, 13),
        field(14, 16),
        field(17, 19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > month_days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    match &b[19..b.len() - 1] {
        [] => true,
        [b'.', fraction @ ..] => {
            !fraction.is_empty() && fraction.len() <= 9 && digits(fraction).is_some()
        }
        _ => false,
    }
}

fn check(element: &Element) -> Result<(), StanzaParseError> {
    if element.is("time", NS) {
        Ok(())
    } else {
        Err(StanzaParseError::unexpected("time", NS, element))
    }
}

impl TryFrom<Element> for EntityTimeQuery {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        check(&element)?;
        Ok(EntityTimeQuery)
    }
}

impl From<EntityTimeQuery> for Element {
    fn from(_: EntityTimeQuery) -> Element {
        Element::new("time", NS)
    }
}

impl TryFrom<Element> for EntityTime {
    type Error = StanzaParseError;

    /// Reads a `<time/>` answer; surrounding whitespace in `tzo` and `utc` is ignored.
    fn try_from(element: Element) -> Result<Self, Self::Error> {
        check(&element)?;
        let (mut tzo, mut utc) = (None, None);
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            let slot = match (child.ns() == NS, child.name()) {
                (true, "tzo") => &mut tzo,
                (true, "utc") => &mut utc,
                _ => continue,
            };
            if slot.is_none() {
                let text = child.into_text();
                let trimmed = text.trim();
                *slot = Some(if trimmed.len() == text.len() {
                    text
                } else {
                    trimmed.to_owned()
                });
            }
        }
        let missing = |what| StanzaParseError::Missing {
            element: "time",
            what,
        };
        EntityTime::new(
            tzo.ok_or(missing("tzo child"))?,
            utc.ok_or(missing("utc child"))?,
        )
    }
}

impl From<EntityTime> for Element {
    fn from(time: EntityTime) -> Element {
        Element::builder("time", NS)
            .child(Element::builder("tzo", NS).text(time.tzo))
            .child(Element::builder("utc", NS).text(time.utc))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0202 Example 2.
        let time = EntityTime::try_from(element(
            "<time xmlns='urn:xmpp:time'>\
               <tzo>-06:00</tzo>\
               <utc>2006-12-19T17:58:35Z</utc>\
             </time>",
        ))
        .unwrap();
        assert_eq!(time.tzo(), "-06:00");
        assert_eq!(time.utc(), "2006-12-19T17:58:35Z");
        assert_eq!(time.tzo_minutes(), -360);
        assert_eq!(
            EntityTimeQuery::try_from(element("<time xmlns='urn:xmpp:time'/>")),
            Ok(EntityTimeQuery)
        );
        for (tzo, utc) in [
            ("Z", "2024-02-29T23:59:60.123456789Z"),
            ("+05:30", "2000-01-01T00:00:00.5Z"),
        ] {
            assert!(EntityTime::new(tzo, utc).is_ok(), "{tzo} {utc}");
        }
        let padded = EntityTime::try_from(element(
            "<time xmlns='urn:xmpp:time'><tzo> +01:00 </tzo><utc>\n2006-12-19T17:58:35Z\n</utc></time>",
        ))
        .unwrap();
        assert_eq!(padded.tzo_minutes(), 60);
    }

    #[test]
    fn test_serialise() {
        let time = EntityTime::new("+01:00", "2026-11-26T17:00:00Z").unwrap();
        assert_eq!(
            xml(&time.into()),
            "<time xmlns='urn:xmpp:time'><tzo>+01:00</tzo><utc>2026-11-26T17:00:00Z</utc></time>"
        );
        assert_eq!(
            xml(&EntityTimeQuery::request("a@b/c".parse().unwrap()).into()),
            "<iq xmlns='jabber:client' id='' to='a@b/c' type='get'><time xmlns='urn:xmpp:time'/></iq>"
        );
    }

    #[test]
    fn test_round_trip() {
        let time = EntityTime::new("Z", "2006-12-19T17:58:35.123Z").unwrap();
        assert_eq!(EntityTime::try_from(Element::from(time.clone())), Ok(time));
    }

    #[test]
    fn test_invalid() {
        for tzo in [
            "", "z", "06:00", "+6:00", "+24:00", "+05:60", "+05-30", "±05:00", "+05:00Z",
        ] {
            assert_eq!(
                EntityTime::new(tzo, "2006-12-19T17:58:35Z"),
                Err(invalid("tzo", tzo)),
                "{tzo}"
            );
        }
        for utc in [
            "",
            "2006-12-19T17:58:35",
            "2006-12-19T17:58:35+00:00",
            "2006-12-19 17:58:35Z",
            "2006-13-19T17:58:35Z",
            "2006-02-29T17:58:35Z",
            "2006-04-31T17:58:35Z",
            "2006-12-00T17:58:35Z",
            "2006-12-19T24:58:35Z",
            "2006-12-19T17:60:35Z",
            "2006-12-19T17:58:61Z",
            "2006-12-19T17:58:35.Z",
            "2006-12-19T17:58:35.1234567890Z",
            "2006-12-19T17:58:3aZ",
            "२००६-12-19T17:58:35Z",
        ] {
            assert_eq!(EntityTime::new("Z", utc), Err(invalid("utc", utc)), "{utc}");
        }
        assert_eq!(
            EntityTime::try_from(element("<time xmlns='urn:xmpp:time'><tzo>Z</tzo></time>")),
            Err(StanzaParseError::Missing {
                element: "time",
                what: "utc child"
            })
        );
        assert!(matches!(
            EntityTime::try_from(element("<time xmlns='urn:xmpp:timex'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }
}
