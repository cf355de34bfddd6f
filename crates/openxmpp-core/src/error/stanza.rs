//! Stanza error types and conditions (RFC 6120 §8.3).

use super::named_enum;

named_enum! {
    /// What the sender of a failed stanza should do (RFC 6120 §8.3.2).
    pub enum StanzaErrorType {
        /// Retry after providing credentials.
        Auth = "auth",
        /// Do not retry: the error cannot be remedied.
        Cancel = "cancel",
        /// Proceed: the condition was only a warning.
        Continue = "continue",
        /// Retry after changing the data sent.
        Modify = "modify",
        /// Retry after waiting: the error is temporary.
        Wait = "wait",
    }
}

named_enum! {
    /// A defined stanza error condition (RFC 6120 §8.3.3).
    pub enum StanzaErrorCondition {
        /// The request was malformed or not understood.
        BadRequest = "bad-request",
        /// Access cannot be granted: a resource with that name or address already exists.
        Conflict = "conflict",
        /// The feature is not implemented by the recipient.
        FeatureNotImplemented = "feature-not-implemented",
        /// The requester lacks the permissions.
        Forbidden = "forbidden",
        /// The recipient can no longer be contacted at this address (a new one may be given).
        Gone = "gone",
        /// The server had an internal error.
        InternalServerError = "internal-server-error",
        /// The addressed JID or item was not found.
        ItemNotFound = "item-not-found",
        /// The JID does not adhere to the address format.
        JidMalformed = "jid-malformed",
        /// The request does not meet the recipient's criteria.
        NotAcceptable = "not-acceptable",
        /// The recipient does not allow anyone to perform the action.
        NotAllowed = "not-allowed",
        /// The sender must authenticate first.
        NotAuthorized = "not-authorized",
        /// A local policy was violated.
        PolicyViolation = "policy-violation",
        /// The intended recipient is temporarily unavailable.
        RecipientUnavailable = "recipient-unavailable",
        /// The recipient redirects requests to another entity.
        Redirect = "redirect",
        /// The requester must register first.
        RegistrationRequired = "registration-required",
        /// The remote server does not exist.
        RemoteServerNotFound = "remote-server-not-found",
        /// The remote server could not be contacted in time.
        RemoteServerTimeout = "remote-server-timeout",
        /// The server lacks the resources to serve the request.
        ResourceConstraint = "resource-constraint",
        /// The service is not provided.
        ServiceUnavailable = "service-unavailable",
        /// The requester must be subscribed first.
        SubscriptionRequired = "subscription-required",
        /// A condition not defined here; an application-specific child says more.
        UndefinedCondition = "undefined-condition",
        /// The request was unexpected at this point (e.g. out of order).
        UnexpectedRequest = "unexpected-request",
    }
}

impl StanzaErrorCondition {
    /// The error type RFC 6120 §8.3.3 gives for this condition in its examples, used when
    /// building an error without an explicit type.
    pub const fn default_type(self) -> StanzaErrorType {
        use StanzaErrorCondition as C;
        use StanzaErrorType as T;
        match self {
            C::BadRequest | C::JidMalformed | C::NotAcceptable | C::PolicyViolation => T::Modify,
            C::Redirect => T::Modify,
            C::Conflict | C::FeatureNotImplemented | C::Gone | C::InternalServerError => T::Cancel,
            C::ItemNotFound | C::NotAllowed | C::RemoteServerNotFound => T::Cancel,
            C::ServiceUnavailable | C::UndefinedCondition => T::Cancel,
            C::Forbidden | C::NotAuthorized | C::RegistrationRequired => T::Auth,
            C::SubscriptionRequired => T::Auth,
            C::RecipientUnavailable | C::RemoteServerTimeout | C::ResourceConstraint => T::Wait,
            C::UnexpectedRequest => T::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(StanzaErrorCondition::ALL.len(), 22);
        assert_eq!(StanzaErrorType::ALL.len(), 5);
        for &c in StanzaErrorCondition::ALL {
            assert_eq!(StanzaErrorCondition::from_name(c.name()), Some(c));
        }
        for &t in StanzaErrorType::ALL {
            assert_eq!(t.name().parse::<StanzaErrorType>(), Ok(t));
        }
        let err = "nonsense".parse::<StanzaErrorCondition>().unwrap_err();
        assert!(err.to_string().contains("StanzaErrorCondition"));
    }

    #[test]
    fn default_types_follow_the_rfc_examples() {
        use StanzaErrorCondition as C;
        assert_eq!(
            C::ServiceUnavailable.default_type(),
            StanzaErrorType::Cancel
        );
        assert_eq!(C::BadRequest.default_type(), StanzaErrorType::Modify);
        assert_eq!(C::NotAuthorized.default_type(), StanzaErrorType::Auth);
        assert_eq!(C::ResourceConstraint.default_type(), StanzaErrorType::Wait);
    }
}
