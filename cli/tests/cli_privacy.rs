//! ID numbers are personal data: no message of any subcommand shows more than the masked
//! form (first six and last four characters), whatever the error. Finding: `cnid upgrade
//! 320102880230123` printed the birth date after the mask, which gave the whole number.

mod common;
use common::with_check;

/// One synthetic input per kind of error, and the error it gives.
fn inputs() -> Vec<String> {
    let v = vec![
        "1101011990010111".to_owned(),                     // length
        "11010119900A011114".to_owned(),                   // character in the hidden middle
        "110101199001011112".to_owned(),                   // check character
        with_check("99010119900101111"),                   // province
        with_check("11010119900230111"),                   // no such date
        "320102880230123".to_owned(),                      // no such date, 15 digits
        with_check("11010117900101111"),                   // before 1800
        with_check("11010120990101111"),                   // in the future
        "１１０１０１１９９００１０１１１１２".to_owned(), // full-width, wrong check
    ];
    // Each gives a different kind of error, as the library names them.
    let kinds: std::collections::BTreeSet<String> = v
        .iter()
        .map(|s| match cnid::IdNumber::parse(s) {
            Err(e) => format!("{:?}", std::mem::discriminant(&e)),
            Ok(_) => panic!("{s} is valid"),
        })
        .collect();
    assert!(kinds.len() >= 7, "{kinds:?}");
    v
}

fn run(args: &[&str], stdin: &str) -> String {
    let o = common::cnid_with_stdin(args, stdin.as_bytes());
    String::from_utf8_lossy(&o.stderr)
        .lines()
        // The batch summary's counts and rates are figures of the run, not of a number.
        .filter(|l| !l.starts_with("cnid batch: ") || l.contains("line "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What stderr must not hold for `input`: any four characters in a row of its hidden
/// middle, and for a date error the year as written.
fn assert_private(input: &str, stderr: &str, what: &str) {
    // The masked form may be shown: its visible ends are not what is looked for.
    let stderr = &stderr.replace(&cnid::mask(input), "<masked>");
    let chars: Vec<char> = input.chars().collect();
    let hidden = &chars[6..chars.len() - 4];
    for w in hidden.windows(4) {
        let w: String = w.iter().collect();
        assert!(!stderr.contains(&w), "{what}: {input}: {w:?} in {stderr}");
    }
    assert!(!stderr.contains(input), "{what}: {stderr}");
    if let Err(cnid::ParseError::Date { year, .. }) = cnid::IdNumber::parse(input) {
        assert!(!stderr.contains(&year.to_string()), "{what}: {stderr}");
        assert!(!stderr.contains("month"), "{what}: {stderr}");
    }
}

#[test]
fn no_subcommand_shows_more_than_the_masked_number() {
    let today = ["--today", "2026-11-29"];
    for input in inputs() {
        let i = input.as_str();
        let cases: Vec<(Vec<&str>, String)> = vec![
            ([&["lookup"][..], &today, &[i]].concat(), String::new()),
            ([&["lookup"][..], &today].concat(), format!("{i}\n")),
            (
                [&["lookup", "--format", "xml"][..], &[i]].concat(),
                String::new(),
            ),
            ([&["upgrade"][..], &today, &[i]].concat(), String::new()),
            ([&["batch"][..], &today].concat(), format!("{i}\n")),
            (
                [&["batch"][..], &today].concat(),
                format!("name,idcard\na,{i},extra\nb,{i}\n"),
            ),
            // Usage errors that name what was typed.
            (vec!["generate", i], String::new()),
            (vec!["lookup", "--today", i, i], String::new()),
            (vec!["batch", "--column", i], format!("a,b\n{i},x\n")),
            (vec!["upgrade", "--bogus", i], String::new()),
        ];
        for (args, stdin) in cases {
            let err = run(&args, &stdin);
            assert_private(i, &err, &format!("{args:?}"));
        }
    }
}

/// A hostile or broken line given to `cnid upgrade` is echoed in its ERROR message with
/// control characters escaped (no terminal escape sequence gets through) and shortened
/// (a 1 MB line gave 1 MB of stars on stderr).
#[test]
fn upgrade_errors_escape_control_characters_and_stay_short() {
    let long = "1".repeat(1 << 20);
    let stdin = format!("\u{1b}]0;pwned\u{7}\u{1b}[2J12345\n{long}\n110101900101111\n");
    let o = common::cnid_with_stdin(&["upgrade"], stdin.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "\n\n110101199001011114\n"
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr:?}");
    assert!(stderr.len() < 400, "{} bytes: {stderr:.400}", stderr.len());
    assert!(
        stderr.contains("ERROR number 2: 111111…1111: invalid length"),
        "{stderr}"
    );
}
