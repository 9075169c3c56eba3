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

#[cfg(test)]
mod tests {
    use super::mask_numbers;

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
