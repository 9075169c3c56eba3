//! ISO 7064 MOD 11-2, the check character of GB 11643-1999.

/// Weights 2^(18-i) mod 11 for positions 1–17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder of the weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// The weighted sum mod 11 and whether every byte was an ASCII digit, in one
/// branch-free pass (the compiler vectorises it).
#[inline]
fn weighted(body: &[u8; 17]) -> (u8, bool) {
    let mut sum = 0u32;
    let mut bad = 0u8;
    for i in 0..17 {
        let d = body[i].wrapping_sub(b'0');
        bad |= u8::from(d > 9);
        sum += u32::from(d) * WEIGHTS[i];
    }
    (CHECK[(sum % 11) as usize], bad == 0)
}

/// The check character (as an ASCII byte) for 17 ASCII digits. The caller has checked them.
#[inline]
pub(crate) fn compute(body: &[u8; 17]) -> u8 {
    weighted(body).0
}

/// The check character for 17 bytes, or `None` if any is not an ASCII digit.
#[inline]
pub(crate) fn compute_checked(body: &[u8; 17]) -> Option<u8> {
    match weighted(body) {
        (c, true) => Some(c),
        (_, false) => None,
    }
}

/// The check character (`'0'`–`'9'` or `'X'`) that completes the first 17 digits of an
/// 18-character ID number, or `None` if `body` holds anything but ASCII digits.
///
/// ```
/// assert_eq!(cnid::check_character(b"11010119900101111"), Some('4'));
/// assert_eq!(cnid::check_character(b"1101011990010111a"), None);
/// ```
#[must_use]
#[inline]
pub fn check_character(body: &[u8; 17]) -> Option<char> {
    compute_checked(body).map(char::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of GB 11643-1999 (appendix A): 11010519491231002 → X.
    #[test]
    fn standard_example() {
        assert_eq!(check_character(b"11010519491231002"), Some('X'));
    }

    #[test]
    fn seed_example() {
        assert_eq!(check_character(b"11010119900101111"), Some('4'));
    }

    /// Every remainder maps to a distinct character, so every single-digit change is caught.
    #[test]
    fn single_digit_changes_are_caught() {
        let body = *b"44030519900307123";
        let c = compute(&body);
        for i in 0..17 {
            for d in b'0'..=b'9' {
                if d == body[i] {
                    continue;
                }
                let mut other = body;
                other[i] = d;
                assert_ne!(compute(&other), c, "position {i} digit {d}");
            }
        }
    }
}
