//! The errors of RFC 6120 as the peers exchange them: stream errors (§4.9) and stanza errors
//! (§8.3), with their vocabularies of conditions and types.

mod body;
mod stanza;
mod stanza_error;
mod stream;
mod stream_error;

pub use stanza::{StanzaErrorCondition, StanzaErrorType};
pub use stanza_error::StanzaError;
pub use stream::StreamErrorCondition;
pub use stream_error::StreamError;

/// Defines a fieldless enum whose variants map one-to-one to XML element or attribute names,
/// with `name()`, `from_name()`, `ALL`, `Display` and `FromStr`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every value, in the order the RFC lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name as written on the wire.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The value with this wire name, if it is one of the defined ones.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_name(s).ok_or_else(|| crate::error::UnknownName {
                    kind: stringify!($name),
                    name: s.chars().take(64).collect(),
                })
            }
        }
    };
}
pub(crate) use named_enum;

/// A name that is not one of the defined values of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a known {kind}")]
pub struct UnknownName {
    /// Which enumeration.
    pub kind: &'static str,
    /// The name that was not recognised (at most 64 characters of it).
    pub name: String,
}
