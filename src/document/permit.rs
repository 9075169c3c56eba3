//! The mainland travel permits of Hong Kong, Macao and Taiwan residents. Neither number
//! has a published check digit: cnid checks the form the issuing authority (国家移民管理局,
//! 出入境管理局) describes, no more ([`crate::Kind::has_check_character`] is `false`).
//!
//! - 港澳居民来往内地通行证 (回乡证): `H` (Hong Kong) or `M` (Macao) and eight digits
//!   (the card issued since 2013); the booklet and first card added two digits counting the
//!   renewals (`H1234567801`).
//! - 台湾居民来往大陆通行证 (台胞证): eight digits (the card issued since 2015); the older
//!   booklet had ten digits, sometimes followed by a letter in parentheses.

use core::fmt;

use super::{ascii, DocumentError, Kind, Norm};

/// A 港澳居民来往内地通行证 number of valid form.
///
/// ```
/// let p = cnid::HkMacaoPermit::parse("H12345678")?;
/// assert!(p.is_hong_kong());
/// assert!(cnid::HkMacaoPermit::parse("X12345678").is_err());
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HkMacaoPermit {
    raw: [u8; 11],
    len: u8,
}

impl HkMacaoPermit {
    /// Parses `H12345678`, `M12345678` or the 11-character form.
    ///
    /// # Errors
    /// [`DocumentError`]: length or a character.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        const KIND: Kind = Kind::HkMacaoTravelPermit;
        let n = Norm::new(input, KIND)?;
        let b = n.bytes();
        if b.len() != 9 && b.len() != 11 {
            return Err(DocumentError::Unrecognised(b.len()));
        }
        n.expect(KIND, |i, c| match i {
            0 => matches!(c, b'H' | b'M'),
            _ => c.is_ascii_digit(),
        })?;
        let mut raw = [0u8; 11];
        raw[..b.len()].copy_from_slice(b);
        Ok(HkMacaoPermit {
            raw,
            len: b.len() as u8,
        })
    }

    /// The number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.raw[..usize::from(self.len)])
    }

    /// Whether the holder is a Hong Kong resident (`H`), not a Macao one (`M`).
    #[must_use]
    pub fn is_hong_kong(&self) -> bool {
        self.raw[0] == b'H'
    }
}

/// A 台湾居民来往大陆通行证 number of valid form.
///
/// ```
/// let p = cnid::TaiwanPermit::parse("12345678")?;
/// assert_eq!(p.as_str(), "12345678");
/// assert!(cnid::TaiwanPermit::parse("1234567").is_err());
/// # Ok::<(), cnid::DocumentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaiwanPermit {
    raw: [u8; 13],
    len: u8,
}

impl TaiwanPermit {
    /// Parses eight digits, or the booklet's ten digits and an optional letter in
    /// parentheses (`1234567890(B)`).
    ///
    /// # Errors
    /// [`DocumentError`]: length or a character.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        const KIND: Kind = Kind::TaiwanTravelPermit;
        let n = Norm::new(input, KIND)?;
        let b = n.bytes();
        if !matches!(b.len(), 8 | 10 | 11) {
            return Err(DocumentError::Unrecognised(b.len()));
        }
        n.expect(KIND, |i, c| match i {
            10 => c.is_ascii_uppercase(),
            _ => c.is_ascii_digit(),
        })?;
        let mut raw = [0u8; 13];
        let len = if b.len() == 11 {
            raw[..10].copy_from_slice(&b[..10]);
            raw[10] = b'(';
            raw[11] = b[10];
            raw[12] = b')';
            13
        } else {
            raw[..b.len()].copy_from_slice(b);
            b.len()
        };
        Ok(TaiwanPermit {
            raw,
            len: len as u8,
        })
    }

    /// The number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        ascii(&self.raw[..usize::from(self.len)])
    }
}

macro_rules! permit_impls {
    ($t:ty, $kind:expr) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}***)", stringify!($t), &self.as_str()[..1])
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct(stringify!($t), 2)?;
                st.serialize_field("kind", &$kind)?;
                st.serialize_field("number", self.as_str())?;
                st.end()
            }
        }
    };
}
permit_impls!(HkMacaoPermit, Kind::HkMacaoTravelPermit);
permit_impls!(TaiwanPermit, Kind::TaiwanTravelPermit);
