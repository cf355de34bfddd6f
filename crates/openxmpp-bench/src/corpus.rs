//! The benchmark corpus: a deterministic, seeded server-to-client XMPP stream.
//!
//! [`generate`] writes what a busy client receives: one-to-one chat messages with bodies of
//! varied length (non-ASCII text, `xml:lang`, threads, subjects, escaped characters and
//! character references), presences with show/status/priority and entity caps, multi-user chat
//! messages and presences with emoji nicknames, roster pushes with groups, disco#info results,
//! message carbons wrapping forwarded messages, MAM results with delay stamps, and a few
//! 10–50 KB stanzas (roster results, vCards with photos, long bodies). The same seed and size
//! always give the same bytes.
//!
//! [`Counts`] are what every decoder must report back to prove it did the work: the number of
//! first-level messages, presences and IQs, and the bytes of the message bodies once unescaped.
//!
//! ```
//! use openxmpp_bench::corpus::{DEFAULT_SEED, generate};
//!
//! let corpus = generate(DEFAULT_SEED, 200_000);
//! assert!(corpus.bytes.len() >= 200_000);
//! assert!(corpus.bytes.starts_with(b"<?xml version='1.0'?><stream:stream"));
//! assert!(corpus.bytes.ends_with(b"</stream:stream>"));
//! assert_eq!(generate(DEFAULT_SEED, 200_000).bytes, corpus.bytes);
//! assert!(corpus.counts.messages > 0 && corpus.counts.presences > 0 && corpus.counts.iqs > 0);
//! ```

use std::fmt::Write as _;

/// The seed the benchmarks use.
pub const DEFAULT_SEED: u64 = 0x6f70_656e_786d_7070;

/// The corpus size the benchmarks use (the generator stops at the first stanza past it).
pub const DEFAULT_SIZE: usize = 50 * 1024 * 1024;

/// The stream header of the corpus (after the XML declaration).
pub const STREAM_HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.org' \
    to='juliet@example.org' id='b7c1e2f0-corpus' version='1.0' xml:lang='en'>";

/// The account the stream is addressed to.
pub const ME: &str = "juliet@example.org/balcony";

/// What a decoder must find: first-level stanzas by kind and unescaped body bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// First-level `<message/>` stanzas.
    pub messages: u64,
    /// First-level `<presence/>` stanzas.
    pub presences: u64,
    /// First-level `<iq/>` stanzas.
    pub iqs: u64,
    /// The UTF-8 bytes of the `<body/>` texts of first-level messages (every language), once
    /// references are resolved. Bodies inside forwarded messages are not counted.
    pub body_bytes: u64,
}

impl Counts {
    /// All first-level stanzas.
    pub fn stanzas(&self) -> u64 {
        self.messages + self.presences + self.iqs
    }
}

/// What the corpus holds beyond [`Counts`], for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detail {
    /// One-to-one chat messages (with or without a body).
    pub chat_messages: u64,
    /// Groupchat messages from a room occupant.
    pub groupchat_messages: u64,
    /// Carbons (`<received/>` or `<sent/>` around a forwarded message).
    pub carbons: u64,
    /// MAM results (a forwarded message with a delay stamp).
    pub mam_results: u64,
    /// Contact presences (show, status, priority, caps).
    pub contact_presences: u64,
    /// Room occupant presences (`muc#user` items).
    pub muc_presences: u64,
    /// Roster pushes.
    pub roster_pushes: u64,
    /// disco#info results.
    pub disco_results: u64,
    /// MAM query ends (`<fin/>` results).
    pub mam_fins: u64,
    /// Stanzas of 10 KB and more.
    pub large_stanzas: u64,
    /// The size of the largest stanza, in bytes.
    pub largest_stanza: u64,
    /// Stanzas whose sender is an occupant with an emoji newer than Unicode 3.2 in the nickname
    /// (stringprep-based JID parsers refuse those).
    pub modern_emoji_senders: u64,
    /// `&…;` references in text and attribute values.
    pub references: u64,
}

/// A generated stream.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The stream, from the XML declaration to `</stream:stream>`.
    pub bytes: Vec<u8>,
    /// What decoders must find.
    pub counts: Counts,
    /// The mix, for the report.
    pub detail: Detail,
}

/// Generates a stream of at least `size` bytes (it ends after the stanza that passes `size`)
/// from `seed`.
pub fn generate(seed: u64, size: usize) -> Corpus {
    let mut g = Gen {
        rng: Rng(seed),
        out: String::with_capacity(size + 64 * 1024),
        counts: Counts::default(),
        detail: Detail::default(),
        serial: 0,
        next_large: LARGE_EVERY / 2,
    };
    g.out.push_str(STREAM_HEADER);
    while g.out.len() < size {
        let start = g.out.len();
        g.stanza(size);
        let len = (g.out.len() - start) as u64;
        g.detail.largest_stanza = g.detail.largest_stanza.max(len);
        if len >= 10_000 {
            g.detail.large_stanzas += 1;
        }
        // Whitespace keepalives and line breaks between some stanzas.
        match g.rng.below(20) {
            0 => g.out.push('\n'),
            1 => g.out.push(' '),
            _ => {}
        }
    }
    g.out.push_str("</stream:stream>");
    Corpus {
        bytes: g.out.into_bytes(),
        counts: g.counts,
        detail: g.detail,
    }
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Roughly one large stanza per this many bytes.
const LARGE_EVERY: usize = 2 * 1024 * 1024;

/// Sentences for bodies and statuses, free of characters that need escaping.
const PHRASES: &[&str] = &[
    "Art thou not Romeo, and a Montague?",
    "Neither, fair saint, if either thee dislike.",
    "What's in a name? That which we call a rose by any other word would smell as sweet.",
    "ok",
    "see you at 8",
    "lol",
    "Can you send me the slides from yesterday's meeting?",
    "The build is green again, merging now.",
    "Ça va ? On se voit à la crêperie près de l'église.",
    "Grüße aus München — das Wetter ist schön heute, über 25 Grad.",
    "Привет! Как дела? Увидимся завтра у библиотеки.",
    "今日はいい天気ですね。明日また会いましょう。",
    "你好，我们明天下午三点在咖啡馆见。",
    "مرحبا، كيف حالك اليوم؟",
    "Γειά σου, τι κάνεις; Θα τα πούμε αύριο.",
    "¿Dónde está la estación? Llegamos en diez minutos.",
    "Zażółć gęślą jaźń — sprawdzam polskie znaki.",
    "🎉🎂 happy birthday! 🥳",
    "ok 👍",
    "on my way 🚲💨",
    "see https://example.org/wiki/Page?lang=en#section for details",
    "The quick brown fox jumps over the lazy dog.",
    "Meeting moved to room 4.12, bring coffee ☕",
    "I'll be late, the train is stuck somewhere near Köln Hbf.",
];

/// Escaped fragments and what they mean once unescaped.
const SPECIALS: &[(&str, &str)] = &[
    ("&amp;", "&"),
    ("&lt;3", "<3"),
    ("-&gt;", "->"),
    ("->", "->"),
    ("&quot;quoted&quot;", "\"quoted\""),
    ("&apos;", "'"),
    ("&#233;", "é"),
    ("&#xE9;", "é"),
    ("&#x1F600;", "😀"),
    ("&#8364;", "€"),
    ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
    ("\n", "\n"),
];

/// Contacts' localparts: mostly ASCII, some not.
const LOCALS: &[&str] = &[
    "romeo",
    "mercutio",
    "benvolio",
    "tybalt",
    "nurse",
    "paris",
    "rosaline",
    "balthasar",
    "friar.laurence",
    "capulet",
    "montague",
    "escalus",
    "peter",
    "sampson",
    "gregory",
    "abram",
    "zoë",
    "jürgen",
    "ļoļa",
    "françois",
    "ники",
    "さくら",
    "dev+test",
];

/// Contacts' domains.
const DOMAINS: &[&str] = &[
    "montague.example",
    "capulet.example",
    "verona.example",
    "example.org",
    "jabber.example.net",
    "münchen.example",
];

/// Contacts' resources.
const RESOURCES: &[&str] = &[
    "balcony",
    "orchard",
    "phone",
    "desktop",
    "Gajim.x3Fk",
    "Conversations.Qe2n",
    "Dino.5a1b9c",
    "Monal-iOS.77f0",
    "Büro",
    "Psi+",
];

/// Room occupants' nicknames: emoji a stringprep parser accepts (assigned in Unicode 3.2)…
const NICKS_OLD: &[&str] = &["♥ Juliet", "☺ Benvolio", "Mercutio ★", "♫ Balthasar", "Zoë"];
/// …and newer ones it refuses.
const NICKS_MODERN: &[&str] = &["🦀 Ferris", "Rosaline 🌹", "🎸 guitar", "Nurse 🐈"];

const ROOMS: &[&str] = &[
    "verona@conference.example.org",
    "montague-family@conference.example.org",
    "rust@conference.jabber.example.net",
];

const GROUPS: &[&str] = &[
    "Friends",
    "Family",
    "Work",
    "Équipe 🏰",
    "Verona &amp; co",
    "Ünïcödé",
    "同僚",
];

const FEATURES: &[&str] = &[
    "http://jabber.org/protocol/caps",
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "http://jabber.org/protocol/muc",
    "http://jabber.org/protocol/chatstates",
    "http://jabber.org/protocol/xhtml-im",
    "jabber:iq:version",
    "jabber:iq:last",
    "jabber:x:conference",
    "urn:xmpp:time",
    "urn:xmpp:ping",
    "urn:xmpp:receipts",
    "urn:xmpp:carbons:2",
    "urn:xmpp:chat-markers:0",
    "urn:xmpp:message-correct:0",
    "urn:xmpp:jingle:1",
    "urn:xmpp:jingle:apps:rtp:1",
    "urn:xmpp:jingle:apps:rtp:audio",
    "urn:xmpp:jingle:transports:ice-udp:1",
    "urn:xmpp:avatar:metadata+notify",
    "urn:xmpp:bookmarks:1+notify",
    "http://jabber.org/protocol/nick+notify",
    "eu.siacs.conversations.axolotl.devicelist+notify",
    "urn:xmpp:reactions:0",
];

struct Gen {
    rng: Rng,
    out: String,
    counts: Counts,
    detail: Detail,
    serial: u64,
    next_large: usize,
}

impl Gen {
    fn id(&mut self) -> String {
        self.serial += 1;
        format!("{:x}-{:04x}", self.serial, self.rng.below(0x10000))
    }

    /// A bare JID.
    fn contact(&mut self) -> String {
        let local = *self.rng.pick(LOCALS);
        let domain = *self.rng.pick(DOMAINS);
        let n = self.rng.below(40);
        if n == 0 {
            format!("{local}@{domain}")
        } else {
            format!("{local}{n}@{domain}")
        }
    }

    fn full_contact(&mut self) -> String {
        let bare = self.contact();
        let res = *self.rng.pick(RESOURCES);
        format!("{bare}/{res}")
    }

    /// A room occupant's JID; counts senders a stringprep parser refuses.
    fn occupant(&mut self) -> String {
        let room = *self.rng.pick(ROOMS);
        let nick = if self.rng.chance(35) {
            self.detail.modern_emoji_senders += 1;
            *self.rng.pick(NICKS_MODERN)
        } else {
            *self.rng.pick(NICKS_OLD)
        };
        format!("{room}/{nick}")
    }

    fn stamp(&mut self) -> String {
        let day = self.rng.range(1, 28);
        let h = self.rng.below(24);
        let m = self.rng.below(60);
        let s = self.rng.below(60);
        if self.rng.chance(30) {
            let ms = self.rng.below(1000);
            format!("2024-03-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z")
        } else {
            format!("2024-03-{day:02}T{h:02}:{m:02}:{s:02}Z")
        }
    }

    /// Appends an escaped text of about `target` unescaped bytes; returns the unescaped length.
    fn text(&mut self, target: usize) -> u64 {
        let mut unescaped = 0usize;
        let mut first = true;
        while unescaped < target || first {
            if !first {
                self.out.push(' ');
                unescaped += 1;
            }
            first = false;
            if self.rng.chance(12) {
                let (escaped, plain) = *self.rng.pick(SPECIALS);
                self.detail.references += escaped.matches('&').count() as u64;
                self.out.push_str(escaped);
                unescaped += plain.len();
            } else {
                let phrase = *self.rng.pick(PHRASES);
                self.out.push_str(phrase);
                unescaped += phrase.len();
            }
        }
        unescaped as u64
    }

    /// A body length: mostly short, some medium, a few long.
    fn body_len(&mut self) -> usize {
        match self.rng.below(100) {
            0..70 => self.rng.range(2, 80) as usize,
            70..95 => self.rng.range(80, 600) as usize,
            _ => self.rng.range(600, 4000) as usize,
        }
    }

    fn stanza(&mut self, size: usize) {
        if self.out.len() >= self.next_large && self.out.len() + 60_000 < size {
            self.next_large += LARGE_EVERY;
            match self.rng.below(3) {
                0 => self.roster_result(),
                1 => self.vcard_result(),
                _ => self.long_message(),
            }
            return;
        }
        match self.rng.below(100) {
            0..30 => self.chat(),
            30..40 => self.groupchat(),
            40..47 => self.carbon(),
            47..55 => self.mam_result(),
            55..72 => self.presence(),
            72..82 => self.muc_presence(),
            82..88 => self.roster_push(),
            88..95 => self.disco_info(),
            95..97 => self.mam_fin(),
            _ => self.chat_state(),
        }
    }

    /// A `<message xmlns='jabber:client'>` (inner, forwarded) or first-level message's content:
    /// bodies, subject, thread. Returns the unescaped body bytes.
    fn message_content(&mut self, lang: Option<&str>) -> u64 {
        let mut bytes = 0;
        if self.rng.chance(5) {
            self.out.push_str("<subject>");
            self.text(30);
            self.out.push_str("</subject>");
        }
        self.out.push_str("<body>");
        let len = self.body_len();
        bytes += self.text(len);
        self.out.push_str("</body>");
        if self.rng.chance(10) {
            // A translation, in a language neither the stanza nor the stream has.
            let other = if lang == Some("fr") { "ja" } else { "fr" };
            let _ = write!(self.out, "<body xml:lang='{other}'>");
            let len = self.body_len();
            bytes += self.text(len);
            self.out.push_str("</body>");
        }
        if self.rng.chance(30) {
            let thread = format!("{:032x}", self.rng.next() as u128 * 0x9e37_79b9);
            if self.rng.chance(20) {
                let parent = format!("{:016x}", self.rng.next());
                let _ = write!(self.out, "<thread parent='{parent}'>{thread}</thread>");
            } else {
                let _ = write!(self.out, "<thread>{thread}</thread>");
            }
        }
        bytes
    }

    fn chat(&mut self) {
        self.counts.messages += 1;
        self.detail.chat_messages += 1;
        let from = self.full_contact();
        let id = self.id();
        let lang = match self.rng.below(10) {
            0 => Some("de"),
            1 => Some("fr"),
            _ => None,
        };
        let _ = write!(
            self.out,
            "<message from='{from}' to='{ME}' type='chat' id='{id}'"
        );
        if let Some(lang) = lang {
            let _ = write!(self.out, " xml:lang='{lang}'");
        }
        self.out.push('>');
        let bytes = self.message_content(lang);
        self.counts.body_bytes += bytes;
        self.out
            .push_str("<active xmlns='http://jabber.org/protocol/chatstates'/>");
        if self.rng.chance(40) {
            self.out.push_str("<request xmlns='urn:xmpp:receipts'/>");
        }
        if self.rng.chance(50) {
            self.out
                .push_str("<markable xmlns='urn:xmpp:chat-markers:0'/>");
        }
        let origin = self.id();
        let _ = write!(
            self.out,
            "<origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='{origin}-s' by='juliet@example.org'/>"
        );
        self.out.push_str("</message>");
    }

    fn chat_state(&mut self) {
        self.counts.messages += 1;
        self.detail.chat_messages += 1;
        let from = self.full_contact();
        let state = *self
            .rng
            .pick(&["composing", "paused", "active", "inactive", "gone"]);
        let _ = write!(
            self.out,
            "<message from='{from}' to='{ME}' type='chat'>\
             <{state} xmlns='http://jabber.org/protocol/chatstates'/>\
             <no-store xmlns='urn:xmpp:hints'/></message>"
        );
    }

    fn long_message(&mut self) {
        self.counts.messages += 1;
        self.detail.chat_messages += 1;
        let from = self.full_contact();
        let id = self.id();
        let _ = write!(
            self.out,
            "<message from='{from}' to='{ME}' type='chat' id='{id}'><body>"
        );
        let len = self.rng.range(10_000, 48_000) as usize;
        self.counts.body_bytes += self.text(len);
        self.out.push_str("</body></message>");
    }

    fn groupchat(&mut self) {
        self.counts.messages += 1;
        self.detail.groupchat_messages += 1;
        let from = self.occupant();
        let id = self.id();
        let room = from.split('/').next().unwrap_or_default().to_owned();
        let _ = write!(
            self.out,
            "<message from='{from}' to='{ME}' type='groupchat' id='{id}'><body>"
        );
        let len = self.body_len();
        self.counts.body_bytes += self.text(len);
        let occupant = self.rng.next();
        let _ = write!(
            self.out,
            "</body><stanza-id xmlns='urn:xmpp:sid:0' id='{id}-mam' by='{room}'/>\
             <occupant-id xmlns='urn:xmpp:occupant-id:0' id='{occupant:x}'/></message>"
        );
    }

    /// A forwarded `<message xmlns='jabber:client'>`, as carbons and MAM carry it.
    fn forwarded_message(&mut self, from: &str, to: &str) {
        let id = self.id();
        let _ = write!(
            self.out,
            "<message xmlns='jabber:client' from='{from}' to='{to}' type='chat' id='{id}'>"
        );
        self.message_content(None);
        self.out.push_str("</message>");
    }

    fn carbon(&mut self) {
        self.counts.messages += 1;
        self.detail.carbons += 1;
        let contact = self.full_contact();
        let (kind, from, to) = if self.rng.chance(50) {
            ("received", contact, ME.to_owned())
        } else {
            ("sent", "juliet@example.org/phone".to_owned(), contact)
        };
        let _ = write!(
            self.out,
            "<message from='juliet@example.org' to='{ME}' type='chat'>\
             <{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
        );
        self.forwarded_message(&from, &to);
        let _ = write!(self.out, "</forwarded></{kind}></message>");
    }

    fn mam_result(&mut self) {
        self.counts.messages += 1;
        self.detail.mam_results += 1;
        let id = self.id();
        let contact = self.full_contact();
        let stamp = self.stamp();
        let _ = write!(
            self.out,
            "<message to='{ME}' id='{id}'><result xmlns='urn:xmpp:mam:2' queryid='q-history' \
             id='{:016x}'><forwarded xmlns='urn:xmpp:forward:0'>\
             <delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>",
            self.rng.next()
        );
        if self.rng.chance(50) {
            self.forwarded_message(&contact, "juliet@example.org");
        } else {
            self.forwarded_message("juliet@example.org/phone", &contact);
        }
        self.out.push_str("</forwarded></result></message>");
    }

    fn mam_fin(&mut self) {
        self.counts.iqs += 1;
        self.detail.mam_fins += 1;
        let id = self.id();
        let (first, last) = (self.rng.next(), self.rng.next());
        let complete = if self.rng.chance(30) {
            " complete='true'"
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "<iq type='result' id='{id}' to='{ME}'><fin xmlns='urn:xmpp:mam:2'{complete}>\
             <set xmlns='http://jabber.org/protocol/rsm'><first index='0'>{first:016x}</first>\
             <last>{last:016x}</last><count>{}</count></set></fin></iq>",
            self.rng.below(5000)
        );
    }

    fn caps(&mut self) {
        let ver = *self.rng.pick(&[
            "QgayPKawpkPSDYmwT/WM94uAlu0=",
            "66/0NaeaBKkwk85efJTGmU47vXI=",
            "kBn4Ra7cWdxeqrD3v4JYO6y1MuI=",
        ]);
        let node = *self.rng.pick(&[
            "https://gajim.org",
            "http://conversations.im",
            "https://dino.im",
        ]);
        let _ = write!(
            self.out,
            "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='{node}' ver='{ver}'/>"
        );
    }

    fn presence(&mut self) {
        self.counts.presences += 1;
        self.detail.contact_presences += 1;
        let from = self.full_contact();
        let _ = write!(self.out, "<presence from='{from}' to='{ME}'");
        if self.rng.chance(10) {
            self.out.push_str(" type='unavailable'>");
            if self.rng.chance(50) {
                self.out.push_str("<status>");
                self.text(20);
                self.out.push_str("</status>");
            }
            self.out.push_str("</presence>");
            return;
        }
        self.out.push('>');
        if self.rng.chance(70) {
            let show = *self.rng.pick(&["away", "chat", "dnd", "xa"]);
            let _ = write!(self.out, "<show>{show}</show>");
        }
        if self.rng.chance(60) {
            self.out.push_str("<status>");
            let len = self.rng.range(3, 60) as usize;
            self.text(len);
            self.out.push_str("</status>");
            if self.rng.chance(15) {
                self.out.push_str("<status xml:lang='de'>");
                self.text(20);
                self.out.push_str("</status>");
            }
        }
        let priority = self.rng.range(0, 60) as i64 - 10;
        let _ = write!(self.out, "<priority>{priority}</priority>");
        self.caps();
        if self.rng.chance(40) {
            let _ = write!(
                self.out,
                "<x xmlns='vcard-temp:x:update'><photo>{:016x}{:016x}{:08x}</photo></x>",
                self.rng.next(),
                self.rng.next(),
                self.rng.below(1 << 32)
            );
        }
        if self.rng.chance(20) {
            let stamp = self.stamp();
            let _ = write!(
                self.out,
                "<delay xmlns='urn:xmpp:delay' from='example.org' stamp='{stamp}'/>"
            );
        }
        self.out.push_str("</presence>");
    }

    fn muc_presence(&mut self) {
        self.counts.presences += 1;
        self.detail.muc_presences += 1;
        let from = self.occupant();
        let real = self.full_contact();
        let (affiliation, role) = *self.rng.pick(&[
            ("none", "participant"),
            ("member", "participant"),
            ("admin", "moderator"),
            ("owner", "moderator"),
            ("none", "visitor"),
        ]);
        let _ = write!(self.out, "<presence from='{from}' to='{ME}'>");
        if self.rng.chance(30) {
            self.out.push_str("<show>away</show>");
        }
        self.caps();
        let _ = write!(
            self.out,
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
             <item affiliation='{affiliation}' role='{role}' jid='{real}'/>"
        );
        if self.rng.chance(10) {
            self.out
                .push_str("<status code='110'/><status code='100'/>");
        }
        let occupant = self.rng.next();
        let _ = write!(
            self.out,
            "</x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='{occupant:x}'/></presence>"
        );
    }

    fn roster_item(&mut self) {
        let jid = self.contact();
        let name = *self.rng.pick(&[
            "Romeo",
            "Mercutio ⚔",
            "Zoë",
            "Fr. Laurence",
            "Tybalt &amp; co",
            "Ники",
            "O&apos;Brien",
        ]);
        let subscription = *self.rng.pick(&["both", "to", "from", "none"]);
        let _ = write!(
            self.out,
            "<item jid='{jid}' name='{name}' subscription='{subscription}'"
        );
        if subscription == "none" && self.rng.chance(50) {
            self.out.push_str(" ask='subscribe'");
        }
        self.out.push('>');
        for _ in 0..self.rng.below(4) {
            let group = *self.rng.pick(GROUPS);
            let _ = write!(self.out, "<group>{group}</group>");
        }
        self.out.push_str("</item>");
    }

    fn roster_push(&mut self) {
        self.counts.iqs += 1;
        self.detail.roster_pushes += 1;
        let id = self.id();
        let ver = self.rng.below(1_000_000);
        let _ = write!(
            self.out,
            "<iq type='set' id='{id}' to='{ME}'><query xmlns='jabber:iq:roster' ver='v{ver}'>"
        );
        self.roster_item();
        self.out.push_str("</query></iq>");
    }

    fn roster_result(&mut self) {
        self.counts.iqs += 1;
        let id = self.id();
        let _ = write!(
            self.out,
            "<iq type='result' id='{id}' to='{ME}'><query xmlns='jabber:iq:roster' ver='v1'>"
        );
        let items = self.rng.range(150, 500);
        for _ in 0..items {
            self.roster_item();
        }
        self.out.push_str("</query></iq>");
    }

    fn vcard_result(&mut self) {
        self.counts.iqs += 1;
        let id = self.id();
        let from = self.contact();
        let _ = write!(
            self.out,
            "<iq type='result' id='{id}' from='{from}' to='{ME}'><vCard xmlns='vcard-temp'>\
             <FN>Juliet Capulet</FN><N><FAMILY>Capulet</FAMILY><GIVEN>Juliet</GIVEN></N>\
             <NICKNAME>Jules ♥</NICKNAME><URL>https://capulet.example/~juliet</URL>\
             <BDAY>1996-07-14</BDAY><ORG><ORGNAME>House Capulet</ORGNAME></ORG>\
             <DESC>"
        );
        self.text(200);
        self.out
            .push_str("</DESC><PHOTO><TYPE>image/jpeg</TYPE><BINVAL>");
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let len = self.rng.range(10_000, 45_000);
        for i in 0..len {
            if i > 0 && i % 76 == 0 {
                self.out.push('\n');
            }
            self.out.push(B64[self.rng.below(64) as usize] as char);
        }
        self.out.push_str("==</BINVAL></PHOTO></vCard></iq>");
    }

    fn disco_info(&mut self) {
        self.counts.iqs += 1;
        self.detail.disco_results += 1;
        let id = self.id();
        let from = self.full_contact();
        let node = *self.rng.pick(&[
            "https://gajim.org#QgayPKawpkPSDYmwT/WM94uAlu0=",
            "http://conversations.im#66/0NaeaBKkwk85efJTGmU47vXI=",
        ]);
        let (ty, name) = *self.rng.pick(&[
            ("pc", "Gajim"),
            ("phone", "Conversations"),
            ("pc", "Dino"),
            ("phone", "Monal ♥"),
        ]);
        let _ = write!(
            self.out,
            "<iq type='result' id='{id}' from='{from}' to='{ME}'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='{node}'>\
             <identity category='client' type='{ty}' name='{name}'/>"
        );
        if self.rng.chance(30) {
            let _ = write!(
                self.out,
                "<identity category='client' type='{ty}' name='{name} (de)' xml:lang='de'/>"
            );
        }
        let n = self.rng.range(8, FEATURES.len() as u64) as usize;
        let start = self.rng.below(FEATURES.len() as u64) as usize;
        for i in 0..n {
            let feature = FEATURES[(start + i) % FEATURES.len()];
            let _ = write!(self.out, "<feature var='{feature}'/>");
        }
        if self.rng.chance(40) {
            self.out.push_str(
                "<x xmlns='jabber:x:data' type='result'>\
                 <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>\
                 <field var='os'><value>Linux</value></field>\
                 <field var='os_version'><value>6.1.0-18-amd64</value></field>\
                 <field var='software'><value>",
            );
            self.out.push_str(name);
            self.out.push_str(
                "</value></field><field var='software_version'><value>1.8.4</value></field></x>",
            );
        }
        self.out.push_str("</query></iq>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = generate(7, 300_000);
        let b = generate(7, 300_000);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.counts, b.counts);
        assert!(a.bytes.len() >= 300_000 && a.bytes.len() < 400_000);
        assert_ne!(generate(8, 300_000).bytes, a.bytes);
        assert!(std::str::from_utf8(&a.bytes).is_ok());
    }

    #[test]
    fn has_every_kind() {
        let c = generate(DEFAULT_SEED, 5_000_000);
        let d = c.detail;
        for (what, n) in [
            ("chat", d.chat_messages),
            ("groupchat", d.groupchat_messages),
            ("carbons", d.carbons),
            ("mam", d.mam_results),
            ("presence", d.contact_presences),
            ("muc presence", d.muc_presences),
            ("roster push", d.roster_pushes),
            ("disco", d.disco_results),
            ("fin", d.mam_fins),
            ("large", d.large_stanzas),
            ("modern emoji", d.modern_emoji_senders),
            ("references", d.references),
        ] {
            assert!(n > 0, "no {what}");
        }
        assert!(d.largest_stanza >= 10_000 && d.largest_stanza <= 60_000);
        assert!(c.counts.body_bytes > 0);
    }
}
