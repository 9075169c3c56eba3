//! ID numbers are personal data: a message never shows more than their masked form.

/// `text` with every word that may be an ID number, even a mistyped one (11 or more letters
/// and digits, among them six digits) masked as [`cnid::mask`] does: the first six and last
/// four characters stay.
pub fn mask_numbers(text: &str) -> String {
    let is_id_char = |c: char| c.is_alphanumeric();
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if is_id_char(c) {
            run.push(c);
            continue;
        }
        let digits = run.chars().filter(|c| c.is_numeric()).count();
        if run.chars().count() >= 11 && digits >= 6 {
            out.push_str(&cnid::mask(&run));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// An input echoed in a message: masked as [`cnid::mask`] does, and with control
/// characters escaped (`\u{1b}`), so that a hostile line can neither drive the terminal
/// nor split the message. Past 24 characters only the first six and last four are shown,
/// around `…`: a 100 MB line gives one short message, not 100 MB of stars.
pub fn echo(input: &str) -> String {
    let n = input.chars().count();
    let shown = if n > 24 {
        let head = input.chars().take(6);
        let tail = input.chars().skip(n - 4);
        head.chain(['…']).chain(tail).collect()
    } else {
        cnid::mask(input)
    };
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{echo, mask_numbers};

    #[test]
    fn echo_is_masked_short_and_without_control_characters() {
        assert_eq!(echo("11010119900A011114"), "110101********1114");
        assert_eq!(
            echo("\u{1b}[2J\u{1b}[31m\u{7}x"),
            "\\u{1b}[2J\\u{1b}[*1m\\u{7}x"
        );
        let long = format!("\u{1b}]0;{}\r\n", "7".repeat(1000));
        assert_eq!(echo(&long), "\\u{1b}]0;77…77\\r\\n");
        assert_eq!(echo(&"1".repeat(24)), cnid::mask(&"1".repeat(24)));
    }

    #[test]
    fn numbers_in_text_are_masked() {
        assert_eq!(
            mask_numbers("unexpected argument '11010119900101111X' found (12)"),
            "unexpected argument '110101********111X' found (12)"
        );
        assert_eq!(mask_numbers("x 320102880230123"), "x 320102*****0123");
        assert_eq!(mask_numbers("2026-11-29 line 7"), "2026-11-29 line 7");
        assert_eq!(mask_numbers("'11010119900A011114'"), "'110101********1114'");
        assert_eq!(mask_numbers("information"), "information");
    }
}
