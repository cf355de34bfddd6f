//! Stream error conditions (RFC 6120 §4.9.3).

use super::named_enum;

named_enum! {
    /// A defined stream error condition. Every stream error is unrecoverable: the stream ends.
    pub enum StreamErrorCondition {
        /// The entity sent XML that cannot be processed.
        BadFormat = "bad-format",
        /// A namespace prefix is unsupported or missing.
        BadNamespacePrefix = "bad-namespace-prefix",
        /// A new stream for this entity replaced this one.
        Conflict = "conflict",
        /// The peer has not generated traffic over some period.
        ConnectionTimeout = "connection-timeout",
        /// The `to` domain is no longer serviced here.
        HostGone = "host-gone",
        /// The `to` domain is not serviced here.
        HostUnknown = "host-unknown",
        /// A stanza lacks a required `to` or `from`.
        ImproperAddressing = "improper-addressing",
        /// The server hit an internal error.
        InternalServerError = "internal-server-error",
        /// The `from` address does not match an authorized JID.
        InvalidFrom = "invalid-from",
        /// The stream or content namespace is wrong.
        InvalidNamespace = "invalid-namespace",
        /// Invalid XML was sent.
        InvalidXml = "invalid-xml",
        /// Data was sent before the stream was authenticated.
        NotAuthorized = "not-authorized",
        /// The data is not well-formed XML.
        NotWellFormed = "not-well-formed",
        /// A local policy was violated (e.g. a size limit).
        PolicyViolation = "policy-violation",
        /// A remote server the entity needs cannot be reached.
        RemoteConnectionFailed = "remote-connection-failed",
        /// The stream must be reset (security-critical features changed).
        Reset = "reset",
        /// The server lacks the resources to serve the stream.
        ResourceConstraint = "resource-constraint",
        /// Restricted XML (comments, PIs, DTDs, entity references) was sent.
        RestrictedXml = "restricted-xml",
        /// The client should reconnect to another host, named in the element's text.
        SeeOtherHost = "see-other-host",
        /// The server is shutting down.
        SystemShutdown = "system-shutdown",
        /// A condition not defined here; an application-specific child says more.
        UndefinedCondition = "undefined-condition",
        /// The encoding is not UTF-8.
        UnsupportedEncoding = "unsupported-encoding",
        /// A mandatory-to-negotiate feature is not supported by the peer.
        UnsupportedFeature = "unsupported-feature",
        /// A first-level child of the stream is not supported.
        UnsupportedStanzaType = "unsupported-stanza-type",
        /// The stream version is not supported.
        UnsupportedVersion = "unsupported-version",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(StreamErrorCondition::ALL.len(), 25);
        for &c in StreamErrorCondition::ALL {
            assert_eq!(StreamErrorCondition::from_name(c.name()), Some(c));
            assert_eq!(c.to_string().parse::<StreamErrorCondition>(), Ok(c));
        }
        assert_eq!(StreamErrorCondition::from_name("text"), None);
        assert!("bogus".parse::<StreamErrorCondition>().is_err());
    }
}
