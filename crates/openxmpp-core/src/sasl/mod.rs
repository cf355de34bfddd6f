//! Client-side SASL mechanisms (RFC 4422 and the mechanism RFCs).
