//! Where to connect: DNS SRV records for `_xmpps-client._tcp` (Direct TLS, XEP-0368) and
//! `_xmpp-client._tcp` (STARTTLS, RFC 6120 §3.2.1), ordered per RFC 2782, falling back to the
//! domain itself on port 5222.

use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::RData;

/// One place to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// Host name or address literal.
    pub(crate) host: String,
    /// Port.
    pub(crate) port: u16,
    /// Whether to speak TLS from the first byte.
    pub(crate) direct_tls: bool,
}

/// An SRV record, as far as ordering needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Srv {
    pub(crate) priority: u16,
    pub(crate) weight: u16,
    pub(crate) port: u16,
    pub(crate) target: String,
}

/// Orders SRV records per RFC 2782: by priority, and within a priority by weighted random
/// selection (`random` returns a number in `0..=bound`). A single record with target `.` means
/// the service is not offered: no targets.
pub(crate) fn order_srv(mut records: Vec<Srv>, mut random: impl FnMut(u32) -> u32) -> Vec<Srv> {
    if records.len() == 1 && records[0].target == "." {
        return Vec::new();
    }
    records.retain(|r| r.target != ".");
    records.sort_by_key(|r| r.priority);
    let mut ordered = Vec::with_capacity(records.len());
    let mut rest = records.as_slice();
    while let Some(first) = rest.first() {
        let same = rest
            .iter()
            .take_while(|r| r.priority == first.priority)
            .count();
        // Zero-weight records first, as RFC 2782 suggests, so they get a small chance.
        let mut group: Vec<Srv> = rest[..same].to_vec();
        group.sort_by_key(|r| r.weight != 0);
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let pick = random(total);
            let mut running = 0u32;
            let index = group
                .iter()
                .position(|r| {
                    running += u32::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0);
            ordered.push(group.remove(index));
        }
        rest = &rest[same..];
    }
    ordered
}

fn random_up_to(bound: u32) -> u32 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() || bound == 0 {
        return 0;
    }
    u32::from_le_bytes(bytes) % (bound + 1)
}

async fn lookup(resolver: &TokioResolver, name: &str) -> Vec<Srv> {
    match resolver.srv_lookup(name).await {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::SRV(srv) => Some(Srv {
                    priority: srv.priority,
                    weight: srv.weight,
                    port: srv.port,
                    target: srv.target.to_ascii().trim_end_matches('.').to_owned(),
                }),
                _ => None,
            })
            .map(|mut srv| {
                if srv.target.is_empty() {
                    srv.target = ".".to_owned();
                }
                srv
            })
            .collect(),
        Err(e) => {
            tracing::debug!(name, error = %e, "no SRV records");
            Vec::new()
        }
    }
}

/// The targets for `domain`: Direct TLS SRV targets first (when `allow_direct_tls`), then
/// STARTTLS SRV targets, then the domain on 5222 if no SRV record exists.
pub(crate) async fn resolve(domain: &str, allow_direct_tls: bool) -> Vec<Target> {
    let resolver = match TokioResolver::builder_tokio().and_then(|b| b.build()) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!(error = %e, "no DNS resolver configuration; trying the domain directly");
            None
        }
    };
    let mut targets = Vec::new();
    let mut any_srv = false;
    if let Some(resolver) = &resolver {
        if allow_direct_tls {
            let direct = lookup(resolver, &format!("_xmpps-client._tcp.{domain}.")).await;
            any_srv |= !direct.is_empty();
            targets.extend(order_srv(direct, random_up_to).into_iter().map(|s| Target {
                host: s.target,
                port: s.port,
                direct_tls: true,
            }));
        }
        let starttls = lookup(resolver, &format!("_xmpp-client._tcp.{domain}.")).await;
        any_srv |= !starttls.is_empty();
        targets.extend(
            order_srv(starttls, random_up_to)
                .into_iter()
                .map(|s| Target {
                    host: s.target,
                    port: s.port,
                    direct_tls: false,
                }),
        );
    }
    if !any_srv {
        targets.push(Target {
            host: domain.to_owned(),
            port: 5222,
            direct_tls: false,
        });
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, target: &str) -> Srv {
        Srv {
            priority,
            weight,
            port: 5222,
            target: target.to_owned(),
        }
    }

    #[test]
    fn priority_orders_first() {
        let ordered = order_srv(
            vec![srv(20, 0, "b"), srv(10, 0, "a"), srv(30, 5, "c")],
            |_| 0,
        );
        let names: Vec<_> = ordered.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn weight_decides_within_a_priority() {
        let records = vec![srv(10, 1, "light"), srv(10, 99, "heavy")];
        // A pick at the top of the range lands on the heavy record.
        let ordered = order_srv(records.clone(), |total| total);
        assert_eq!(ordered[0].target, "heavy");
        // A pick of 1 lands on the light one (cumulative weight 1).
        let ordered = order_srv(records, |_| 1);
        assert_eq!(ordered[0].target, "light");
        assert_eq!(ordered.len(), 2);
    }

    #[test]
    fn a_dot_target_means_no_service() {
        assert!(order_srv(vec![srv(0, 0, ".")], |_| 0).is_empty());
    }
}
