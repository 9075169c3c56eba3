//! The traits the public types promise; dropping one is a breaking change.

use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::str::FromStr;

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
