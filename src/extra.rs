//! Region codes given at run time, in the format of `data/regions.csv`: a county created
//! after the build, or a user's correction, without waiting for a release.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::region::{Region, RegionFields, Source};

/// Region codes read from a CSV file in the dataset's own format (the columns of
/// `data/regions.csv`), to add to or override the built-in table; see
/// [`crate::Resolver::with_extra_regions`]. The built-in table is never changed.
///
/// Columns are found by their header names, in any order: `code`, `name`, `province`,
/// `province_short` and `province_full` are required; `prefecture`, `city_short`,
/// `city_full`, `postno`, `areano`, `first_year`, `last_year`, `level` and `placeholder`
/// may be left out or empty. A code given on several rows (its history) takes the row with
/// the latest `first_year`, as the built-in table does. A row that is wrong refuses the
/// whole file with its line number and the reason: nothing is half-loaded.
///
/// ```
/// let csv = "code,name,province,prefecture,province_short,province_full,city_short,city_full,postno,areano\n\
///            430199,新区,湖南省,长沙市,湖南,湖南省,长沙,长沙市,410000,0731\n";
/// let extra = cnid::ExtraRegions::parse("new.csv", csv)?;
/// let extra: &'static cnid::ExtraRegions = Box::leak(Box::new(extra));
/// let resolver = cnid::Resolver::new().with_extra_regions(extra);
/// let body = b"43019919900101111";
/// let n = format!("43019919900101111{}", cnid::check_character(body).unwrap());
/// let r = resolver.resolve(&n);
/// assert_eq!(r.status(), cnid::Status::AlreadyAtt);
/// assert_eq!(r.region().unwrap().att(), "湖南省 长沙市 新区");
/// assert_eq!(cnid::resolve(&n).status(), cnid::Status::NotAtt);
/// # Ok::<(), cnid::ExtraRegionsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtraRegions {
    map: BTreeMap<u32, Region>,
}

/// Why a file of extra region codes was refused: `file:line: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ExtraRegionsError {
    /// The file name given to [`ExtraRegions::parse`].
    pub file: String,
    /// 1-based line of the file.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

const REQUIRED: [&str; 5] = [
    "code",
    "name",
    "province",
    "province_short",
    "province_full",
];

impl ExtraRegions {
    /// Reads `text`, a CSV file named `file` (the name is only used in errors).
    ///
    /// # Errors
    /// [`ExtraRegionsError`] for the first wrong line: a missing column, a field that is
    /// not what its column holds, a quote left open.
    pub fn parse(file: &str, text: &str) -> Result<ExtraRegions, ExtraRegionsError> {
        let err = |line: usize, reason: String| ExtraRegionsError {
            file: file.to_owned(),
            line,
            reason,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header = loop {
            match lines.next() {
                Some((_, l)) if l.trim().is_empty() => continue,
                Some((n, l)) => break split(l).map_err(|r| err(n, r))?,
                None => return Err(err(1, "empty file: expected a header line".into())),
            }
        };
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        for name in REQUIRED {
            if col(name).is_none() {
                return Err(err(1, format!("header has no {name:?} column")));
            }
        }
        let cols: BTreeMap<&'static str, usize> = [
            "code",
            "name",
            "province",
            "prefecture",
            "province_short",
            "province_full",
            "city_short",
            "city_full",
            "postno",
            "areano",
            "first_year",
            "last_year",
            "level",
            "placeholder",
        ]
        .into_iter()
        .filter_map(|name| col(name).map(|i| (name, i)))
        .collect();
        let mut latest: BTreeMap<u32, (u16, Region)> = BTreeMap::new();
        for (n, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let fields = split(line).map_err(|r| err(n, r))?;
            if fields.len() != header.len() {
                return Err(err(
                    n,
                    format!("{} fields, the header has {}", fields.len(), header.len()),
                ));
            }
            let view = View {
                cols: &cols,
                fields: &fields,
            };
            let (code, first_year, region) = row(&view).map_err(|r| err(n, r))?;
            match latest.get(&code) {
                Some((year, _)) if *year > first_year => {}
                _ => {
                    latest.insert(code, (first_year, region));
                }
            }
        }
        Ok(ExtraRegions {
            map: latest.into_iter().map(|(c, (_, r))| (c, r)).collect(),
        })
    }

    /// The region of `code`, if the file gave it.
    #[must_use]
    pub fn get(&self, code: u32) -> Option<&Region> {
        self.map.get(&code)
    }

    /// How many codes the file gave.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the file gave no code.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The codes, ascending, with the built-in table's region each one overrides, if any.
    pub fn overrides(&self) -> impl Iterator<Item = (&Region, Option<Region>)> {
        self.map.values().map(|r| (r, Region::lookup(r.code())))
    }
}

/// One data row's fields by column name.
struct View<'a> {
    cols: &'a BTreeMap<&'static str, usize>,
    fields: &'a [String],
}

impl View<'_> {
    /// The trimmed field of column `name`, empty where the file has no such column.
    fn get(&self, name: &str) -> &str {
        self.cols.get(name).map_or("", |&i| self.fields[i].trim())
    }
}

/// One data row: its code, first year and region.
fn row(view: &View<'_>) -> Result<(u32, u16, Region), String> {
    let get = |name: &str| view.get(name);
    let code_text = get("code");
    if code_text.len() != 6 || !code_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("code {code_text:?} is not six digits"));
    }
    let code: u32 = code_text
        .parse()
        .map_err(|_| "code is not a number".to_owned())?;
    if code < 110_000 {
        return Err(format!("code {code_text} has no province"));
    }
    for name in REQUIRED {
        if get(name).is_empty() {
            return Err(format!("{name} is empty"));
        }
    }
    for name in [
        "name",
        "province",
        "prefecture",
        "province_short",
        "province_full",
        "city_short",
        "city_full",
    ] {
        if let Some(c) = get(name).chars().find(|c| c.is_control()) {
            return Err(format!("{name} holds the control character {c:?}"));
        }
    }
    let postno = get("postno");
    if !postno.is_empty() && (postno.len() != 6 || !postno.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("postno {postno:?} is not six digits"));
    }
    let areano = get("areano");
    if !areano.is_empty()
        && (!areano.starts_with('0')
            || !areano.bytes().all(|b| b.is_ascii_digit())
            || areano.len() > 5)
    {
        return Err(format!("areano {areano:?} is not a 0-prefixed number"));
    }
    let year = |name: &str| -> Result<Option<u16>, String> {
        match get(name) {
            "" => Ok(None),
            y => y
                .parse::<u16>()
                .ok()
                .filter(|y| (1949..=2999).contains(y))
                .map(Some)
                .ok_or_else(|| format!("{name} {y:?} is not a year")),
        }
    };
    let first_year = year("first_year")?.unwrap_or(0);
    if let Some(last) = year("last_year")? {
        if last < first_year {
            return Err(format!(
                "last_year {last} is before first_year {first_year}"
            ));
        }
    }
    if !matches!(get("level"), "" | "province" | "prefecture" | "county") {
        return Err(format!(
            "level {:?} is not province, prefecture or county",
            get("level")
        ));
    }
    if !matches!(get("placeholder"), "" | "0" | "1") {
        return Err(format!(
            "placeholder {:?} is not 0 or 1",
            get("placeholder")
        ));
    }
    if get("city_short").is_empty() != get("city_full").is_empty() {
        return Err("city_short and city_full must be both set or both empty".into());
    }
    let style = |prefix: &str, province: &str, city: &str| {
        if city.is_empty() {
            format!("{prefix},{province}")
        } else {
            format!("{prefix},{province},{city}")
        }
    };
    let fields = RegionFields {
        att: crate::region::join_att(get("province"), get("prefecture"), get("name")),
        postno: postno.to_owned(),
        areano: areano.to_owned(),
        style_simcall: style("中国", get("province_short"), get("city_short")),
        style_citynm: style("中华人民共和国", get("province_full"), get("city_full")),
    };
    Ok((
        code,
        first_year,
        Region::from_fields(code, fields, Source::Extra),
    ))
}

/// Splits one CSV line (RFC 4180 quoting, no field across lines).
fn split(line: &str) -> Result<Vec<String>, String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start && !quoted => quoted = true,
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    if !matches!(chars.peek(), None | Some(',')) {
                        return Err("text after a closing quote".into());
                    }
                }
            }
            '"' => return Err("a quote inside an unquoted field".into()),
            ',' if !quoted => {
                fields.push(core::mem::take(&mut field));
                at_start = true;
                continue;
            }
            c => field.push(c),
        }
        at_start = false;
    }
    if quoted {
        return Err("a quote is left open (fields cannot span lines)".into());
    }
    fields.push(field);
    Ok(fields)
}

impl fmt::Display for ExtraRegions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} extra region code(s)", self.map.len())
    }
}
