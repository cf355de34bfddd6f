//! Splitting a line into its command word and comma-separated arguments.
//!
//! Arguments are separated by commas and trimmed. `\,` is a comma inside an argument and
//! `\\` a backslash. Where a command's last argument is free text, it keeps the rest of the
//! line, commas and all, so `say room@muc.example.com, Hello, everyone` needs no escaping.

/// The command word and the rest of the line (trimmed).
pub(crate) fn command_word(line: &str) -> (&str, &str) {
    let line = line.trim();
    match line.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (line, ""),
    }
}

/// Splits `rest` into at most `max` arguments, the last taking the rest of the line; an
/// empty `rest` has none.
pub(crate) fn arguments(rest: &str, max: usize) -> Vec<String> {
    let mut args = Vec::new();
    if rest.trim().is_empty() {
        return args;
    }
    let mut current = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ (',' | '\\')) => current.push(next),
                Some(other) => {
                    current.push('\\');
                    current.push(other);
                }
                None => current.push('\\'),
            },
            ',' if args.len() + 1 < max => {
                args.push(current.trim().to_owned());
                current.clear();
            }
            c => current.push(c),
        }
    }
    args.push(current.trim().to_owned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_word_is_split_off() {
        assert_eq!(command_word("  chat  a@b, hi "), ("chat", "a@b, hi"));
        assert_eq!(command_word("roster"), ("roster", ""));
        assert_eq!(command_word(""), ("", ""));
    }

    #[test]
    fn arguments_split_on_commas_up_to_the_last() {
        assert_eq!(arguments("a@b , hi", 3), ["a@b", "hi"]);
        assert_eq!(arguments("a@b, hi, de", 3), ["a@b", "hi", "de"]);
        assert_eq!(
            arguments("room, Hello, all, of you", 2),
            ["room", "Hello, all, of you"]
        );
        assert_eq!(arguments("", 2), Vec::<String>::new());
        assert_eq!(arguments("a, , b", 3), ["a", "", "b"]);
    }

    #[test]
    fn escaped_commas_and_backslashes_stay() {
        assert_eq!(
            arguments(r"a@b, Hello\, world, en", 3),
            ["a@b", "Hello, world", "en"]
        );
        assert_eq!(arguments(r"a\\, b", 2), [r"a\", "b"]);
        assert_eq!(arguments(r"c:\path\x", 1), [r"c:\path\x"]);
        assert_eq!(arguments("trailing\\", 1), ["trailing\\"]);
    }
}
