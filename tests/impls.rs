//! The traits the public types promise; dropping one is a breaking change.

use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::str::FromStr;

use cnid::IdNumber;

fn send_sync<T: Send + Sync + 'static>() {}
fn value<T: Clone + Copy + Eq + Hash + Debug>() {}

#[test]
fn public_types_have_their_traits() {
    send_sync::<cnid::IdNumber>();
    send_sync::<cnid::Resolution>();
    send_sync::<cnid::Region>();
    send_sync::<cnid::Resolver>();
    send_sync::<cnid::ParseError>();
    value::<cnid::IdNumber>();
    value::<cnid::Sex>();
    value::<cnid::Status>();
    value::<cnid::Level>();
    value::<cnid::Source>();
    value::<cnid::ParseError>();
    fn ord<T: Ord>() {}
    ord::<cnid::IdNumber>();
    fn parse<T: FromStr + for<'a> TryFrom<&'a str> + Display>() {}
    parse::<cnid::IdNumber>();
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    error::<cnid::ParseError>();
    fn ser<T: serde::Serialize>() {}
    ser::<cnid::Resolution>();
    ser::<cnid::Region>();
    ser::<cnid::IdNumber>();
}

/// Serde both ways: a number deserializes only when it parses, and the error never holds it.
#[test]
fn serde_round_trips_and_rejects_without_echo() {
    let id: IdNumber = "11010519491231002X".parse().unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, "\"11010519491231002X\"");
    assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
    // The 15-digit form deserializes too, to its 18-character form.
    let old: IdNumber = serde_json::from_str("\"110105491231002\"").unwrap();
    assert_eq!(old.as_str(), id.as_str());

    let province_99 = format!(
        "\"99010519491231002{}\"",
        cnid::check_character(b"99010519491231002").unwrap()
    );
    for (input, why) in [
        ("\"110105194912310020\"", "invalid check character"),
        (province_99.as_str(), "province"),
        ("\"\"", "empty"),
    ] {
        let err = serde_json::from_str::<IdNumber>(input)
            .unwrap_err()
            .to_string();
        assert!(err.contains(why), "{err}");
        assert!(!err.contains("1949123"), "{err}");
    }
    assert!(serde_json::from_str::<IdNumber>("110105194912310020").is_err());

    for status in [
        cnid::Status::AlreadyAtt,
        cnid::Status::WaitProcess,
        cnid::Status::NotAtt,
        cnid::Status::WrongIdcard,
    ] {
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, format!("\"{}\"", status.as_str()));
        assert_eq!(serde_json::from_str::<cnid::Status>(&json).unwrap(), status);
    }
    assert!(serde_json::from_str::<cnid::Status>("\"OK\"").is_err());
    for sex in [cnid::Sex::Male, cnid::Sex::Female] {
        let json = serde_json::to_string(&sex).unwrap();
        assert_eq!(serde_json::from_str::<cnid::Sex>(&json).unwrap(), sex);
    }
}
