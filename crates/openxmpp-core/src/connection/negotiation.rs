//! Stream negotiation: STARTTLS (RFC 6120 §5), SASL (§6), resource binding (§7) and the legacy
//! session (RFC 3921 §3).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::error::StanzaErrorCondition;
use crate::jid::FullJid;
use crate::ns;
use crate::sasl::{
    ChannelBindings, FailureCondition, Mechanism, SaslError, SaslFailure, SaslSession, TlsState,
    select_mechanism,
};
use crate::stanza::{Iq, IqPayload, Stanza};
use crate::xml::Element;

use super::{
    AuthError, Connection, ConnectionError, Event, Purpose, State, StreamFeatures, TlsMode,
};

/// The request in flight while binding.
#[derive(Debug, Clone)]
pub(super) enum BindStep {
    /// Binding, with the resource asked for (if any).
    Bind {
        id: String,
        resource: Option<String>,
    },
    /// The legacy session request, after binding `jid`.
    Session { id: String, jid: FullJid },
}

impl Connection {
    pub(super) fn handle_features(&mut self, element: &Element) {
        let features = StreamFeatures::parse(element);
        self.features = Some(features.clone());
        let tls_pending = self.tls.is_none() && matches!(self.config.tls, TlsMode::StartTls(_));
        if tls_pending {
            if features.starttls.is_some() {
                self.write_raw(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
                self.set_state(State::StartingTls);
            } else {
                let domain = self.config.domain().to_owned();
                self.fail(ConnectionError::TlsNotOffered { domain });
            }
        } else if self.config.purpose == Purpose::Register {
            // TLS is up (or plaintext was explicitly allowed): register instead of logging in.
            self.ready_to_register(features);
        } else if !self.authenticated {
            self.start_sasl(&features);
        } else if self.resumption.is_some() && features.stream_management {
            self.send_resume();
        } else if features.bind {
            if let Some(state) = self.resumption.take() {
                // The server no longer offers stream management: nothing can be resumed.
                let stanzas: Vec<Element> = state.unacked().cloned().collect();
                if !stanzas.is_empty() {
                    self.events.push_back(Event::StanzasMaybeLost { stanzas });
                }
            }
            let resource = self.config.resource.clone();
            self.send_bind(resource);
        } else {
            self.protocol_violation("the server offers no resource binding after authentication");
        }
    }

    pub(super) fn handle_tls_element(&mut self, element: &Element) {
        if self.state != State::StartingTls || self.tls.is_some() {
            self.protocol_violation("an unexpected STARTTLS element");
            return;
        }
        match element.name() {
            "proceed" => {
                // Nothing may follow <proceed/> in plaintext: bytes that did were injected by
                // someone on the path (the STARTTLS command injection attack).
                if self.parser.buffered_len() > 0 {
                    self.fail(ConnectionError::Protocol(
                        "plaintext data after <proceed/> (possible injection)".to_owned(),
                    ));
                    return;
                }
                if let TlsMode::StartTls(tls_config) = self.config.tls.clone() {
                    self.start_tls(tls_config);
                }
            }
            "failure" => {
                let domain = self.config.domain().to_owned();
                self.fail(ConnectionError::TlsRefused { domain });
            }
            _ => self.protocol_violation("an unknown STARTTLS element"),
        }
    }

    fn tls_state(&self) -> TlsState {
        let Some(tls) = &self.tls else {
            return TlsState::Plaintext;
        };
        let mut bindings = ChannelBindings::new();
        if let Some(exporter) = tls.tls_exporter() {
            bindings = bindings.with_tls_exporter(exporter);
        }
        if let Some(der) = tls.end_entity_certificate()
            && let Some(hash) = crate::sasl::CertificateSignatureHash::from_certificate_der(der)
        {
            bindings =
                bindings.with_tls_server_end_point(crate::sasl::tls_server_end_point(der, hash));
        }
        TlsState::encrypted(bindings)
    }

    fn auth_failed(&mut self, source: SaslError) {
        let account = self.config.account.as_str().to_owned();
        self.fail(ConnectionError::Auth(AuthError::Local { account, source }));
    }

    fn start_sasl(&mut self, features: &StreamFeatures) {
        // The allow-list restricts the choice only: the GS2 flag must still reflect everything
        // the server offered, or restricting to SCRAM-SHA-1 while it offers SCRAM-SHA-1-PLUS
        // would send `y`, which such a server must refuse as a downgrade.
        let offer = features.sasl_offer();
        let choosable = match &self.config.allowed_mechanisms {
            Some(allowed) => {
                let mut restricted = features.clone();
                restricted
                    .mechanisms
                    .retain(|name| allowed.iter().any(|m| m.name() == name));
                restricted.sasl_offer()
            }
            None => offer.clone(),
        };
        let tls = self.tls_state();
        let mechanism = match select_mechanism(&choosable, &tls, &self.config.sasl) {
            Ok(m) => m,
            Err(e) => return self.auth_failed(e),
        };
        let session = SaslSession::new(mechanism, &offer, &tls, &self.config.sasl).and_then(|s| {
            let uses_nonce = mechanism.is_scram() || mechanism == Mechanism::DigestMd5;
            match &self.config.fixed_sasl_nonce {
                Some(nonce) if uses_nonce => s.with_client_nonce(nonce),
                _ => Ok(s),
            }
        });
        let mut session = match session {
            Ok(s) => s,
            Err(e) => return self.auth_failed(e),
        };
        let initial = match session.initial_response() {
            Ok(initial) => initial,
            Err(e) => return self.auth_failed(e),
        };
        let mut auth = Element::builder("auth", ns::SASL)
            .attr("mechanism", mechanism.name())
            .build();
        match initial {
            Some(data) if data.is_empty() => auth.append_text("="),
            Some(data) => auth.append_text_string(BASE64.encode(data)),
            None => {}
        }
        tracing::debug!(mechanism = mechanism.name(), "starting SASL");
        self.sasl = Some(session);
        self.set_state(State::Authenticating);
        self.write_element(&auth);
    }

    pub(super) fn handle_sasl_element(&mut self, element: &Element) {
        if self.state != State::Authenticating {
            self.protocol_violation("an unexpected SASL element");
            return;
        }
        let Some(session) = self.sasl.as_mut() else {
            return self.protocol_violation("SASL data without an exchange");
        };
        let data = match decode_sasl_data(&element.text()) {
            Ok(data) => data,
            Err(()) => {
                let mechanism = session.mechanism();
                self.write_raw(b"<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
                return self.auth_failed(SaslError::MalformedChallenge {
                    mechanism,
                    reason: "the server's data is not valid base64",
                });
            }
        };
        match element.name() {
            "challenge" => match session.step(data.as_deref().unwrap_or_default()) {
                Ok(response) => {
                    let mut el = Element::new("response", ns::SASL);
                    if !response.is_empty() {
                        el.append_text_string(BASE64.encode(response));
                    }
                    self.write_element(&el);
                }
                Err(e) => {
                    self.write_raw(b"<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
                    self.auth_failed(e);
                }
            },
            "success" => match session.finish(data.as_deref()) {
                Ok(()) => {
                    let mechanism = session.mechanism();
                    self.sasl = None;
                    self.authenticated = true;
                    self.events.push_back(Event::Authenticated { mechanism });
                    self.restart_stream();
                }
                Err(e) => self.auth_failed(e),
            },
            "failure" => {
                let condition = element
                    .children()
                    .filter(|c| c.ns() == ns::SASL && c.name() != "text")
                    .find_map(|c| FailureCondition::from_name(c.name()))
                    .unwrap_or(FailureCondition::NotAuthorized);
                let text = element
                    .get_child("text", ns::SASL)
                    .map(|t| t.text().into_owned())
                    .filter(|t| !t.is_empty());
                let account = self.config.account.as_str().to_owned();
                let failure = SaslFailure::new(condition, text);
                self.write_raw(b"</stream:stream>");
                self.fail(ConnectionError::Auth(AuthError::Refused {
                    account,
                    failure,
                }));
            }
            _ => self.protocol_violation("an unknown SASL element"),
        }
    }

    pub(super) fn send_bind(&mut self, resource: Option<String>) {
        let id = self.tracker.next_id();
        let mut bind = Element::new("bind", ns::BIND);
        if let Some(resource) = &resource {
            let mut child = Element::new("resource", ns::BIND);
            child.append_text(resource);
            bind.append_child(child);
        }
        self.binding = Some(BindStep::Bind {
            id: id.clone(),
            resource,
        });
        self.set_state(State::Binding);
        self.write_element(&Element::from(Iq::set(id, bind)));
    }

    pub(super) fn handle_binding_stanza(&mut self, element: Element) {
        let iq = match Stanza::try_from(element) {
            Ok(Stanza::Iq(iq)) if !iq.payload.is_request() => iq,
            Ok(_) | Err(_) => {
                tracing::debug!("stanza during resource binding ignored");
                return;
            }
        };
        let from_ok = self.config.is_own_or_server(iq.header.from.as_ref(), None);
        let step = match &self.binding {
            Some(BindStep::Bind { id, .. } | BindStep::Session { id, .. })
                if *id == iq.id && from_ok =>
            {
                self.binding.take()
            }
            _ => {
                tracing::debug!(id = %iq.id, "IQ response during binding that is not ours ignored");
                return;
            }
        };
        match (step, iq.payload) {
            (Some(BindStep::Bind { .. }), IqPayload::Result(Some(bind))) => {
                let jid = bind
                    .get_child("jid", ns::BIND)
                    .map(|j| j.text().trim().to_owned())
                    .unwrap_or_default();
                match jid.parse::<FullJid>() {
                    Ok(jid) => self.bound(jid),
                    Err(e) => {
                        self.protocol_violation(&format!("bound an invalid JID {jid:?}: {e}"))
                    }
                }
            }
            (Some(BindStep::Bind { .. }), IqPayload::Result(None)) => {
                self.protocol_violation("the bind result carries no JID");
            }
            (
                Some(BindStep::Bind {
                    resource: Some(_), ..
                }),
                IqPayload::Error { error, .. },
            ) if error.condition == StanzaErrorCondition::Conflict => {
                // RFC 6120 §7.7.2.2: the resource is taken; let the server choose one.
                tracing::info!("resource in use; asking the server to generate one");
                self.send_bind(None);
            }
            (Some(BindStep::Bind { .. }), IqPayload::Error { error, .. }) => {
                self.write_raw(b"</stream:stream>");
                self.fail(ConnectionError::Bind(Box::new(error)));
            }
            (Some(BindStep::Session { jid, .. }), IqPayload::Result(_)) => self.go_online(jid),
            (Some(BindStep::Session { .. }), IqPayload::Error { error, .. }) => {
                self.write_raw(b"</stream:stream>");
                self.fail(ConnectionError::Bind(Box::new(error)));
            }
            _ => self.protocol_violation("an unexpected response during binding"),
        }
    }

    fn bound(&mut self, jid: FullJid) {
        if jid.domain() != self.config.domain() {
            tracing::warn!(
                bound = jid.as_str(),
                "the server bound a JID in another domain"
            );
        }
        let session_required = self.features.as_ref().is_some_and(|f| f.session_required);
        if session_required {
            let id = self.tracker.next_id();
            self.binding = Some(BindStep::Session {
                id: id.clone(),
                jid,
            });
            let session = Element::new("session", ns::SESSION);
            self.write_element(&Element::from(Iq::set(id, session)));
        } else {
            self.go_online(jid);
        }
    }

    fn go_online(&mut self, jid: FullJid) {
        self.bound_jid = Some(jid.clone());
        self.negotiation_deadline = None;
        self.set_state(State::Online);
        let features = self.features.clone().unwrap_or_default();
        self.events.push_back(Event::Online {
            jid,
            features,
            resumed: false,
        });
        self.enable_stream_management();
    }
}

/// SASL data: empty or `=` is "no data"; otherwise base64.
fn decode_sasl_data(text: &str) -> Result<Option<Vec<u8>>, ()> {
    let text = text.trim();
    if text.is_empty() || text == "=" {
        return Ok(None);
    }
    BASE64.decode(text).map(Some).map_err(|_| ())
}
