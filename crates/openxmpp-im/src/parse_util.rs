//! Small parsing helpers shared by the payload modules (delay, stanza ids, forwarding, carbons,
//! receipts, markers, correction, blocking, MAM).

use openxmpp_core::jid::{BareJid, Jid};
use openxmpp_core::stanza::StanzaParseError;
use openxmpp_core::xml::Element;

/// Checks that `element` is `<name xmlns='ns'/>`.
pub(crate) fn expect(
    element: &Element,
    name: &'static str,
    ns: &'static str,
) -> Result<(), StanzaParseError> {
    if element.is(name, ns) {
        Ok(())
    } else {
        Err(StanzaParseError::unexpected(name, ns, element))
    }
}

/// An [`StanzaParseError::InvalidValue`] with the value cut to 64 characters.
pub(crate) fn invalid(element: &'static str, what: &'static str, value: &str) -> StanzaParseError {
    StanzaParseError::invalid(element, what, value)
}

/// A [`StanzaParseError::Missing`].
pub(crate) fn missing(element: &'static str, what: &'static str) -> StanzaParseError {
    StanzaParseError::Missing { element, what }
}

/// Moves a required, non-empty attribute (an id) out of `element`.
pub(crate) fn take_id(
    element: &mut Element,
    element_name: &'static str,
    attribute: &'static str,
    what: &'static str,
) -> Result<String, StanzaParseError> {
    match element.take_attr(attribute) {
        None => Err(missing(element_name, what)),
        Some(value) if value.is_empty() => Err(invalid(element_name, what, "")),
        Some(value) => Ok(value),
    }
}

/// Parses an optional JID attribute.
pub(crate) fn jid_attr(
    element: &Element,
    element_name: &'static str,
    attribute: &'static str,
) -> Result<Option<Jid>, StanzaParseError> {
    element
        .attr(attribute)
        .map(|value| {
            value
                .parse()
                .map_err(|source| StanzaParseError::InvalidJid {
                    element: element_name,
                    attribute,
                    source,
                })
        })
        .transpose()
}

/// Whether a stanza with this `from` comes from our own account: no `from` (RFC 6120 §8.1.2.1:
/// the server speaking for the account) or exactly our bare JID.
pub(crate) fn from_own_account(from: Option<&Jid>, own: &BareJid) -> bool {
    from.is_none_or(|from| from == own)
}

/// Parses an `xs:boolean`.
pub(crate) fn boolean(
    element: &'static str,
    what: &'static str,
    value: &str,
) -> Result<bool, StanzaParseError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(invalid(element, what, other)),
    }
}

/// Parses a non-negative integer (XEP-0059 counts, indexes and page sizes).
pub(crate) fn number(
    element: &'static str,
    what: &'static str,
    value: &str,
) -> Result<u32, StanzaParseError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(element, what, value));
    }
    trimmed.parse().map_err(|_| invalid(element, what, value))
}
