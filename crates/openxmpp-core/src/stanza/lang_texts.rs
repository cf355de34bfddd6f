//! Texts in several languages: message bodies and subjects, presence statuses, error texts.

/// One text and its `xml:lang` (`None`: the enclosing stanza's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangText {
    /// The language tag, if the element carried its own `xml:lang`.
    pub lang: Option<String>,
    /// The text.
    pub text: String,
}

/// The texts of one kind (bodies, subjects, statuses) of a stanza, in document order.
///
/// ```
/// use openxmpp_core::stanza::LangTexts;
///
/// let mut bodies = LangTexts::default();
/// bodies.set(None, "Hello");
/// bodies.set(Some("de"), "Hallo");
/// assert_eq!(bodies.get(None), Some("Hello"));
/// assert_eq!(bodies.get(Some("de")), Some("Hallo"));
/// assert_eq!(bodies.for_language(Some("fr"), Some("en")), Some("Hello"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LangTexts(Vec<LangText>);

impl LangTexts {
    /// No texts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sets the text for `lang` (`None`: the stanza's own language), replacing an earlier one.
    pub fn set(&mut self, lang: Option<&str>, text: impl Into<String>) {
        let text = text.into();
        match self.0.iter_mut().find(|t| t.lang.as_deref() == lang) {
            Some(existing) => existing.text = text,
            None => self.0.push(LangText {
                lang: lang.map(str::to_owned),
                text,
            }),
        }
    }

    /// Adds a text as parsed, keeping duplicates so that a round trip loses nothing.
    pub(crate) fn push(&mut self, lang: Option<String>, text: String) {
        self.0.push(LangText { lang, text });
    }

    /// The text with exactly this `xml:lang` (`None`: the one without its own `xml:lang`).
    pub fn get(&self, lang: Option<&str>) -> Option<&str> {
        self.0
            .iter()
            .find(|t| t.lang.as_deref() == lang)
            .map(|t| t.text.as_str())
    }

    /// The best text for a reader who prefers `wanted`, in a stanza whose language is
    /// `stanza_lang`: the exact language (compared case-insensitively, as language tags are),
    /// else the text in the stanza's own language, else the first one.
    pub fn for_language(&self, wanted: Option<&str>, stanza_lang: Option<&str>) -> Option<&str> {
        let matches_wanted = |t: &LangText| match (t.lang.as_deref().or(stanza_lang), wanted) {
            (Some(have), Some(want)) => have.eq_ignore_ascii_case(want),
            _ => false,
        };
        self.0
            .iter()
            .find(|t| matches_wanted(t))
            .or_else(|| self.0.iter().find(|t| t.lang.is_none()))
            .or_else(|| self.0.first())
            .map(|t| t.text.as_str())
    }

    /// All texts in document order.
    pub fn iter(&self) -> impl Iterator<Item = &LangText> {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a LangTexts {
    type Item = &'a LangText;
    type IntoIter = std::slice::Iter<'a, LangText>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Appends one `<name xml:lang='…'>text</name>` child in `jabber:client` per text.
pub(crate) fn append_owned(parent: &mut crate::xml::Element, name: &'static str, texts: LangTexts) {
    for text in texts.0 {
        let mut child = crate::xml::Element::new(name, crate::ns::JABBER_CLIENT);
        if let Some(lang) = text.lang {
            child.set_lang(lang);
        }
        child.append_text_string(text.text);
        parent.append_child(child);
    }
}
