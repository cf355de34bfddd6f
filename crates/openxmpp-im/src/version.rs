//! Software version (XEP-0092).
//!
//! ```
//! use openxmpp_im::version::{SoftwareVersion, SoftwareVersionQuery};
//!
//! let request = SoftwareVersionQuery::request("romeo@montague.net/orchard".parse()?);
//! let answer = request.result(Some(SoftwareVersion::new("openXMPP", "0.1.0").with_os("Linux").into()));
//! let version = SoftwareVersion::try_from(answer.payload_element().cloned().ok_or("empty")?)?;
//! assert_eq!(version.os.as_deref(), Some("Linux"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openxmpp_core::jid::Jid;
use openxmpp_core::stanza::{Iq, StanzaParseError};
use openxmpp_core::xml::{Element, Node};

/// The software version namespace.
pub const NS: &str = "jabber:iq:version";

/// The empty `<query/>` asking an entity for its software version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SoftwareVersionQuery;

impl SoftwareVersionQuery {
    /// The request to `to`, with an empty id for the connection to assign.
    pub fn request(to: Jid) -> Iq {
        Iq::get("", SoftwareVersionQuery.into()).to(to)
    }
}

/// The answer: the software's name and version, optionally the operating system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareVersion {
    /// The software's natural-language name.
    pub name: String,
    /// The software's version.
    pub version: String,
    /// The operating system (often withheld for privacy).
    pub os: Option<String>,
}

impl SoftwareVersion {
    /// A version answer without an operating system.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        SoftwareVersion {
            name: name.into(),
            version: version.into(),
            os: None,
        }
    }

    /// Sets the operating system.
    pub fn with_os(mut self, os: impl Into<String>) -> Self {
        self.os = Some(os.into());
        self
    }
}

fn check(element: &Element) -> Result<(), StanzaParseError> {
    if element.is("query", NS) {
        Ok(())
    } else {
        Err(StanzaParseError::unexpected("query", NS, element))
    }
}

impl TryFrom<Element> for SoftwareVersionQuery {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        check(&element)?;
        Ok(SoftwareVersionQuery)
    }
}

impl From<SoftwareVersionQuery> for Element {
    fn from(_: SoftwareVersionQuery) -> Element {
        Element::new("query", NS)
    }
}

impl TryFrom<Element> for SoftwareVersion {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        check(&element)?;
        let (mut name, mut version, mut os) = (None, None, None);
        for node in element.into_nodes() {
            let Node::Element(child) = node else { continue };
            if child.ns() != NS {
                continue;
            }
            let slot = match child.name() {
                "name" => &mut name,
                "version" => &mut version,
                "os" => &mut os,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(child.into_text());
            }
        }
        let missing = |what| StanzaParseError::Missing {
            element: "query",
            what,
        };
        Ok(SoftwareVersion {
            name: name.ok_or(missing("name child"))?,
            version: version.ok_or(missing("version child"))?,
            os,
        })
    }
}

impl From<SoftwareVersion> for Element {
    fn from(version: SoftwareVersion) -> Element {
        let child = |name, text: String| Element::builder(name, NS).text(text).build();
        let mut element = Element::builder("query", NS)
            .child(child("name", version.name))
            .child(child("version", version.version))
            .build();
        if let Some(os) = version.os {
            element.append_child(child("os", os));
        }
        element
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{element, xml};

    #[test]
    fn test_simple() {
        // XEP-0092 Example 2.
        let version = SoftwareVersion::try_from(element(
            "<query xmlns='jabber:iq:version'>\
               <name>Exodus</name><version>0.7.0.4</version><os>Windows-XP 5.01.2600</os>\
             </query>",
        ))
        .unwrap();
        assert_eq!(
            version,
            SoftwareVersion::new("Exodus", "0.7.0.4").with_os("Windows-XP 5.01.2600")
        );
        // Example 1: the request.
        assert_eq!(
            SoftwareVersionQuery::try_from(element("<query xmlns='jabber:iq:version'/>")),
            Ok(SoftwareVersionQuery)
        );
    }

    #[test]
    fn test_serialise() {
        assert_eq!(
            xml(&SoftwareVersion::new("openXMPP", "0.1 <beta>").into()),
            "<query xmlns='jabber:iq:version'><name>openXMPP</name>\
             <version>0.1 &lt;beta&gt;</version></query>"
        );
        assert_eq!(
            xml(&SoftwareVersionQuery::request("capulet.lit".parse().unwrap()).into()),
            "<iq xmlns='jabber:client' id='' to='capulet.lit' type='get'>\
             <query xmlns='jabber:iq:version'/></iq>"
        );
    }

    #[test]
    fn test_round_trip() {
        for version in [
            SoftwareVersion::new("a", "b"),
            SoftwareVersion::new("a", "b").with_os("c"),
        ] {
            assert_eq!(
                SoftwareVersion::try_from(Element::from(version.clone())),
                Ok(version)
            );
        }
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            SoftwareVersion::try_from(element(
                "<query xmlns='jabber:iq:version'><version>1</version></query>"
            )),
            Err(StanzaParseError::Missing {
                element: "query",
                what: "name child"
            })
        );
        assert_eq!(
            SoftwareVersion::try_from(element(
                "<query xmlns='jabber:iq:version'><name>x</name></query>"
            )),
            Err(StanzaParseError::Missing {
                element: "query",
                what: "version child"
            })
        );
        assert!(matches!(
            SoftwareVersion::try_from(element("<query xmlns='jabber:iq:last'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));
    }
}
