//! Resource limits of the stream parser.

/// Limits that bound what a peer can make the parser hold. Exceeding any of them is a
/// `policy-violation` stream error ([`XmlError::LimitExceeded`](super::XmlError::LimitExceeded)).
///
/// Whitespace between stanzas (keepalives) is consumed as it arrives and never buffered, so it
/// needs no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserLimits {
    /// Largest first-level element (stanza or nonza) in bytes, from its `<` to the end of its
    /// end tag. Also bounds the stream header and any single token.
    pub max_stanza_size: usize,
    /// Deepest element nesting, counting `<stream:stream>` as depth 1.
    pub max_depth: usize,
    /// Most attributes on one element, namespace declarations included.
    pub max_attributes: usize,
    /// Most namespace declarations in scope at once (the stream's included). Prefix lookups walk
    /// them, so this bounds the work per element.
    pub max_namespace_bindings: usize,
}

impl ParserLimits {
    /// The defaults: 256 KiB stanzas, depth 64, 64 attributes per element, 256 namespace
    /// declarations in scope.
    pub const DEFAULT: ParserLimits = ParserLimits {
        max_stanza_size: 256 * 1024,
        max_depth: 64,
        max_attributes: 64,
        max_namespace_bindings: 256,
    };
}

impl Default for ParserLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
