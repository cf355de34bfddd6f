//! Entity capabilities (XEP-0115).
//!
//! The `<c/>` element a client puts in its presence, and the verification string of §5.1:
//! a SHA-1 over the entity's disco#info answer, so that contacts can cache that answer by
//! hash instead of asking every client.
//!
//! ```
//! use openxmpp_im::caps::{Caps, ver};
//! use openxmpp_im::disco::{DiscoInfoResult, Identity};
//!
//! let info = DiscoInfoResult::new()
//!     .with_identity(Identity::new("client", "pc").with_name("Exodus 0.9.1"))
//!     .with_feature("http://jabber.org/protocol/caps")
//!     .with_feature("http://jabber.org/protocol/disco#info")
//!     .with_feature("http://jabber.org/protocol/disco#items")
//!     .with_feature("http://jabber.org/protocol/muc");
//! assert_eq!(ver(&info)?, "QgayPKawpkPSDYmwT/WM94uAlu0=");
//! let caps = Caps::new("http://code.google.com/p/exodus", &info)?;
//! assert!(caps.verify(&info));
//! assert_eq!(caps.disco_node(), "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use openxmpp_core::stanza::StanzaParseError;
use openxmpp_core::xml::Element;
use sha1::{Digest as _, Sha1};

use crate::data_form::{FORM_TYPE, FieldType};
use crate::disco::DiscoInfoResult;

/// The entity capabilities namespace.
pub const NS: &str = "http://jabber.org/protocol/caps";

/// The hash function name for SHA-1, the only one this module computes.
pub const SHA_1: &str = "sha-1";

/// The `<c/>` element (XEP-0115 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caps {
    /// The hash function that produced `ver` (`sha-1`, from the IANA registry).
    pub hash: String,
    /// A URI identifying the software.
    pub node: String,
    /// The verification string: the base64 hash of the disco#info answer.
    pub ver: String,
    /// The legacy `ext` attribute (deprecated), kept as received.
    pub ext: Option<String>,
}

impl Caps {
    /// The `<c/>` element for `info`, with SHA-1.
    ///
    /// # Errors
    /// As [`verification_string`].
    pub fn new(node: impl Into<String>, info: &DiscoInfoResult) -> Result<Self, StanzaParseError> {
        Ok(Caps {
            hash: SHA_1.to_owned(),
            node: node.into(),
            ver: ver(info)?,
            ext: None,
        })
    }

    /// Whether `info` (the answer to a disco#info query on [`Caps::disco_node`]) hashes to
    /// `ver`. False for a hash function other than SHA-1 and for an ill-formed answer.
    pub fn verify(&self, info: &DiscoInfoResult) -> bool {
        self.hash.eq_ignore_ascii_case(SHA_1) && ver(info).is_ok_and(|v| v == self.ver)
    }

    /// The node to query with disco#info to learn the capabilities: `node#ver`.
    pub fn disco_node(&self) -> String {
        format!("{}#{}", self.node, self.ver)
    }
}

fn ill_formed(element: &'static str, what: &'static str, value: &str) -> StanzaParseError {
    StanzaParseError::InvalidValue {
        element,
        what,
        value: value.chars().take(64).collect(),
    }
}

/// The verification string S of XEP-0115 §5.1, before hashing.
///
/// Identities sorted by category, type, language and name; features sorted; then the extended
/// information forms that have a hidden `FORM_TYPE` field (others are ignored, §5.4), sorted by
/// `FORM_TYPE`, each with its fields sorted by name and their values sorted. Strings compare
/// byte-wise (`i;octet`). Fields without a name (`fixed`) are left out.
///
/// # Errors
/// [`StanzaParseError::InvalidValue`] for an answer §5.4 calls ill-formed: two identical
/// identities or features, two forms with the same `FORM_TYPE`, or a `FORM_TYPE` with
/// differing values.
pub fn verification_string(info: &DiscoInfoResult) -> Result<String, StanzaParseError> {
    let mut s = String::new();

    let mut identities: Vec<_> = info
        .identities
        .iter()
        .map(|i| {
            (
                i.category.as_str(),
                i.kind.as_str(),
                i.lang.as_deref().unwrap_or(""),
                i.name.as_deref().unwrap_or(""),
            )
        })
        .collect();
    identities.sort_unstable();
    if let Some(w) = identities.windows(2).find(|w| w[0] == w[1]) {
        return Err(ill_formed("identity", "duplicate identity", w[0].0));
    }
    for (category, kind, lang, name) in identities {
        for part in [category, "/", kind, "/", lang, "/", name, "<"] {
            s.push_str(part);
        }
    }

    let mut features: Vec<&str> = info.features.iter().map(String::as_str).collect();
    features.sort_unstable();
    if let Some(w) = features.windows(2).find(|w| w[0] == w[1]) {
        return Err(ill_formed("feature", "duplicate var", w[0]));
    }
    for feature in features {
        s.push_str(feature);
        s.push('<');
    }

    let mut forms = Vec::new();
    for form in &info.extensions {
        let Some(form_type) = form.field(FORM_TYPE) else {
            continue;
        };
        if form_type.kind != FieldType::Hidden {
            continue;
        }
        let Some(first) = form_type.values.first() else {
            continue;
        };
        if form_type.values.iter().any(|v| v != first) {
            return Err(ill_formed("field", "FORM_TYPE values", first));
        }
        forms.push((first.as_str(), form));
    }
    forms.sort_unstable_by_key(|(form_type, _)| *form_type);
    if let Some(w) = forms.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(ill_formed("x", "duplicate FORM_TYPE", w[0].0));
    }
    for (form_type, form) in forms {
        s.push_str(form_type);
        s.push('<');
        let mut fields: Vec<(&str, Vec<&str>)> = form
            .fields
            .iter()
            .filter_map(|f| Some((f.var.as_deref()?, f)))
            .filter(|(var, _)| *var != FORM_TYPE)
            .map(|(var, f)| (var, f.values.iter().map(String::as_str).collect()))
            .collect();
        fields.sort_unstable_by_key(|(var, _)| *var);
        for (var, mut values) in fields {
            s.push_str(var);
            s.push('<');
            values.sort_unstable();
            for value in values {
                s.push_str(value);
                s.push('<');
            }
        }
    }
    Ok(s)
}

/// The `ver` attribute for `info`: the base64 SHA-1 of its [`verification_string`].
///
/// # Errors
/// As [`verification_string`].
pub fn ver(info: &DiscoInfoResult) -> Result<String, StanzaParseError> {
    let s = verification_string(info)?;
    Ok(STANDARD.encode(Sha1::digest(s.as_bytes())))
}

impl TryFrom<Element> for Caps {
    type Error = StanzaParseError;

    fn try_from(element: Element) -> Result<Self, Self::Error> {
        if !element.is("c", NS) {
            return Err(StanzaParseError::unexpected("c", NS, &element));
        }
        let (mut hash, mut node, mut ver, mut ext) = (None, None, None, None);
        for attr in element.into_attrs() {
            let slot = match (attr.ns(), attr.name()) {
                (None, "hash") => &mut hash,
                (None, "node") => &mut node,
                (None, "ver") => &mut ver,
                (None, "ext") => &mut ext,
                _ => continue,
            };
            *slot = Some(attr.into_value());
        }
        let missing = |what| StanzaParseError::Missing { element: "c", what };
        Ok(Caps {
            hash: hash.ok_or(missing("hash attribute (legacy caps are not supported)"))?,
            node: node.ok_or(missing("node attribute"))?,
            ver: ver.ok_or(missing("ver attribute"))?,
            ext,
        })
    }
}

impl From<Caps> for Element {
    fn from(caps: Caps) -> Element {
        Element::builder("c", NS)
            .attr("hash", caps.hash)
            .attr("node", caps.node)
            .attr("ver", caps.ver)
            .attr_opt("ext", caps.ext)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_form::{DataForm, Field, FormType};
    use crate::disco::Identity;
    use crate::test_support::{element, xml};

    fn simple() -> DiscoInfoResult {
        DiscoInfoResult::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#info' \
                    node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>\
               <identity category='client' name='Exodus 0.9.1' type='pc'/>\
               <feature var='http://jabber.org/protocol/caps'/>\
               <feature var='http://jabber.org/protocol/disco#info'/>\
               <feature var='http://jabber.org/protocol/disco#items'/>\
               <feature var='http://jabber.org/protocol/muc'/>\
             </query>",
        ))
        .unwrap()
    }

    fn complex() -> DiscoInfoResult {
        DiscoInfoResult::try_from(element(
            "<query xmlns='http://jabber.org/protocol/disco#info' \
                    node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>\
               <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>\
               <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>\
               <feature var='http://jabber.org/protocol/caps'/>\
               <feature var='http://jabber.org/protocol/disco#info'/>\
               <feature var='http://jabber.org/protocol/disco#items'/>\
               <feature var='http://jabber.org/protocol/muc'/>\
               <x xmlns='jabber:x:data' type='result'>\
                 <field var='FORM_TYPE' type='hidden'>\
                   <value>urn:xmpp:dataforms:softwareinfo</value>\
                 </field>\
                 <field var='ip_version' type='text-multi'>\
                   <value>ipv4</value>\
                   <value>ipv6</value>\
                 </field>\
                 <field var='os'><value>Mac</value></field>\
                 <field var='os_version'><value>10.5.1</value></field>\
                 <field var='software'><value>Psi</value></field>\
                 <field var='software_version'><value>0.11</value></field>\
               </x>\
             </query>",
        ))
        .unwrap()
    }

    #[test]
    fn test_simple() {
        // XEP-0115 §5.2.
        let info = simple();
        assert_eq!(
            verification_string(&info).unwrap(),
            "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<\
             http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<\
             http://jabber.org/protocol/muc<"
        );
        assert_eq!(ver(&info).unwrap(), "QgayPKawpkPSDYmwT/WM94uAlu0=");

        // XEP-0115 §5.3.
        let info = complex();
        assert_eq!(
            verification_string(&info).unwrap(),
            "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<\
             http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<\
             http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<\
             ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<\
             software_version<0.11<"
        );
        assert_eq!(ver(&info).unwrap(), "q07IKJEyjvHSyhy//CH0CxmKi8w=");

        // XEP-0115 Example 1: the <c/> element in a presence.
        let caps = Caps::try_from(element(
            "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
                node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>",
        ))
        .unwrap();
        assert!(caps.verify(&simple()));
        assert!(!caps.verify(&complex()));
        assert_eq!(
            caps.disco_node(),
            "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0="
        );
    }

    #[test]
    fn order_does_not_matter_and_bad_forms_are_ignored() {
        let mut info = complex();
        info.identities.reverse();
        info.features.reverse();
        for form in &mut info.extensions {
            form.fields.reverse();
            for field in &mut form.fields {
                field.values.reverse();
            }
        }
        // Forms without a hidden FORM_TYPE are ignored (§5.4).
        info.extensions.push(
            DataForm::new(FormType::Result).with_field(Field::text_single(FORM_TYPE, "urn:x")),
        );
        info.extensions
            .push(DataForm::new(FormType::Result).with_field(Field::text_single("a", "b")));
        assert_eq!(ver(&info).unwrap(), "q07IKJEyjvHSyhy//CH0CxmKi8w=");
    }

    #[test]
    fn test_serialise() {
        let caps = Caps::new("http://code.google.com/p/exodus", &simple()).unwrap();
        assert_eq!(
            xml(&caps.into()),
            "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
             node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>"
        );
    }

    #[test]
    fn test_round_trip() {
        let caps = Caps {
            hash: SHA_1.into(),
            node: "https://example.org".into(),
            ver: "abc=".into(),
            ext: Some("voice-v1".into()),
        };
        assert_eq!(Caps::try_from(Element::from(caps.clone())), Ok(caps));
    }

    #[test]
    fn test_invalid() {
        assert_eq!(
            Caps::try_from(element(
                "<c xmlns='http://jabber.org/protocol/caps' node='n' ver='v' ext='e'/>"
            )),
            Err(StanzaParseError::Missing {
                element: "c",
                what: "hash attribute (legacy caps are not supported)"
            })
        );
        assert_eq!(
            Caps::try_from(element(
                "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' ver='v'/>"
            )),
            Err(StanzaParseError::Missing {
                element: "c",
                what: "node attribute"
            })
        );
        assert_eq!(
            Caps::try_from(element(
                "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n'/>"
            )),
            Err(StanzaParseError::Missing {
                element: "c",
                what: "ver attribute"
            })
        );
        assert!(matches!(
            Caps::try_from(element("<c xmlns='urn:xmpp:caps'/>")),
            Err(StanzaParseError::UnexpectedElement { .. })
        ));

        // Ill-formed answers (§5.4), built locally since the disco parser refuses them.
        let mut twice = simple();
        twice
            .identities
            .push(Identity::new("client", "pc").with_name("Exodus 0.9.1"));
        assert!(verification_string(&twice).is_err());
        let mut twice = simple();
        twice.features.push("http://jabber.org/protocol/muc".into());
        assert!(verification_string(&twice).is_err());
        let mut twice = complex();
        let form = twice.extensions[0].clone();
        twice.extensions.push(form);
        assert_eq!(
            verification_string(&twice),
            Err(ill_formed(
                "x",
                "duplicate FORM_TYPE",
                "urn:xmpp:dataforms:softwareinfo"
            ))
        );
        let mut mixed = complex();
        mixed.extensions[0]
            .field_mut(FORM_TYPE)
            .unwrap()
            .values
            .push("urn:other".into());
        assert!(verification_string(&mixed).is_err());
        let sha256 = Caps {
            hash: "sha-256".into(),
            ..Caps::new("n", &simple()).unwrap()
        };
        assert!(!sha256.verify(&simple()), "only SHA-1 is computed");
    }
}
