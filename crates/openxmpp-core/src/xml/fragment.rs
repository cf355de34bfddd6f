//! Reading one element given as text: raw XML a user types, test fixtures.

use super::{Element, StreamEvent, StreamParser, XmlError};

/// Why a piece of text is not exactly one element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FragmentError {
    /// The XML is refused (not well-formed, restricted XML, over a limit…).
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The element does not end.
    #[error("the element is not complete")]
    Incomplete,
    /// There is more than one element (or anything but whitespace after it).
    #[error("expected exactly one element")]
    NotOneElement,
    /// There is no element at all.
    #[error("no element")]
    Empty,
}

const CLIENT_STREAM_HEADER: &[u8] = b"<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

/// Parses `xml` as exactly one element, as it would arrive as a first-level child of a client
/// stream: the default namespace is `jabber:client`, the `stream` prefix is bound, and every
/// restriction and limit of the stream parser applies.
///
/// ```
/// use openxmpp_core::xml::{FragmentError, parse_element};
///
/// let message = parse_element("<message to='juliet@example.com'><body>Hi</body></message>")?;
/// assert!(message.is("message", "jabber:client"));
/// assert_eq!(parse_element("<a/><b/>"), Err(FragmentError::NotOneElement));
/// assert!(matches!(parse_element("<!-- no -->"), Err(FragmentError::Xml(_))));
/// # Ok::<(), FragmentError>(())
/// ```
pub fn parse_element(xml: &str) -> Result<Element, FragmentError> {
    let mut parser = StreamParser::new();
    parser.feed(CLIENT_STREAM_HEADER);
    parser.feed(xml.as_bytes());
    let mut element = None;
    while let Some(event) = parser.next_event()? {
        match event {
            StreamEvent::StreamOpen(_) => {}
            StreamEvent::Stanza(e) if element.is_none() => element = Some(e),
            StreamEvent::Stanza(_) | StreamEvent::StreamClose => {
                return Err(FragmentError::NotOneElement);
            }
        }
    }
    match element {
        Some(_) if parser.buffered_len() > 0 => Err(FragmentError::NotOneElement),
        Some(e) => Ok(e),
        None if parser.buffered_len() > 0 || parser.in_element() => Err(FragmentError::Incomplete),
        None => Err(FragmentError::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_element() {
        let e =
            parse_element("  <iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>\n").unwrap();
        assert!(e.is("iq", "jabber:client"));
        assert_eq!(parse_element("<message>"), Err(FragmentError::Incomplete));
        assert_eq!(parse_element("   "), Err(FragmentError::Empty));
        assert_eq!(parse_element("<a/><b"), Err(FragmentError::NotOneElement));
        assert_eq!(
            parse_element("</stream:stream>"),
            Err(FragmentError::NotOneElement)
        );
        assert!(matches!(
            parse_element("<a>&custom;</a>"),
            Err(FragmentError::Xml(_))
        ));
        assert!(matches!(parse_element("text"), Err(FragmentError::Xml(_))));
    }
}
