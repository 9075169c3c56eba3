//! The core's hot path: check digit, parse, resolve (hit and miss), resolve + JSON, and
//! resolve over a mix of valid and wrong numbers.
//! Run: `cargo bench --bench resolve`.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

fn inputs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("known_current", "110101199001011114"),
        ("known_abolished", "512928199001011114"),
        // 119999 is not a code: NOT_ATT.
        ("unknown_region", "119999199001011111"),
        ("wrong_check", "110101199001011112"),
        ("fifteen_digits", "110101900101111"),
    ]
}

fn bench(c: &mut Criterion) {
    c.bench_function("region_lookup", |b| {
        b.iter(|| cnid::Region::lookup(black_box(512_928)))
    });
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let resolver = cnid::Resolver::new().with_today(today);
    let system = cnid::Resolver::new();

    c.bench_function("check_digit", |b| {
        let body: &[u8; 17] = b"11010119900101111";
        b.iter(|| cnid::check_character(black_box(body)))
    });

    let mut g = c.benchmark_group("parse");
    for (name, s) in inputs() {
        g.bench_with_input(name, s, |b, s| b.iter(|| resolver.parse(black_box(s))));
    }
    g.finish();

    let mut g = c.benchmark_group("resolve");
    for (name, s) in inputs() {
        g.bench_with_input(name, s, |b, s| b.iter(|| resolver.resolve(black_box(s))));
    }
    g.bench_with_input(
        "known_current_system_today",
        "110101199001011114",
        |b, s| b.iter(|| system.resolve(black_box(s))),
    );
    g.finish();

    let mut g = c.benchmark_group("resolve_json");
    for (name, s) in inputs() {
        g.bench_with_input(name, s, |b, s| {
            let mut out = String::with_capacity(512);
            b.iter(|| {
                out.clear();
                let r = resolver.resolve(black_box(s));
                cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&r, s));
                black_box(out.len())
            })
        });
    }
    g.finish();
}

/// 10,000 synthetic numbers in the mix of `benches/compare` (per 1,000: 880 valid, 5 with a
/// lower-case `x`, 10 of 15 digits, 40 wrong check character, 25 impossible dates, 10 born
/// after today, 20 of the wrong length, 10 unknown regions), from a fixed seed. One input
/// over and over lets the branch predictor learn it; a mix shows what mispredicts cost.
fn mixed() -> Vec<String> {
    const REGIONS: [&str; 8] = [
        "110101", "310104", "440305", "512928", "110103", "420606", "650102", "370284",
    ];
    let mut x: u64 = 0x1164_3199;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let with_check = |body: String| {
        let b: &[u8; 17] = body.as_bytes().try_into().unwrap();
        let c = cnid::check_character(b).unwrap();
        format!("{body}{c}")
    };
    (0..10_000)
        .map(|_| {
            let kind = next(1000);
            let region = REGIONS[next(8) as usize];
            let (y, m, d, seq) = (1930 + next(91), 1 + next(12), 1 + next(28), next(1000));
            let body = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
            match kind {
                0..=879 => with_check(body),
                880..=884 => with_check(body).to_lowercase(),
                885..=894 => format!("{region}{:02}{m:02}{d:02}{seq:03}", y % 100),
                895..=934 => {
                    let good = with_check(body.clone());
                    let wrong = if good.ends_with('0') { '1' } else { '0' };
                    format!("{body}{wrong}")
                }
                935..=959 => with_check(format!("{region}{y:04}02{:02}{seq:03}", 30 + next(2))),
                960..=969 => {
                    with_check(format!("{region}2{:03}{m:02}{d:02}{seq:03}", 30 + next(70)))
                }
                970..=989 => with_check(body)[..17].to_string(),
                _ => with_check(format!(
                    "1199{:02}{y:04}{m:02}{d:02}{seq:03}",
                    90 + next(10)
                )),
            }
        })
        .collect()
}

fn bench_mixed(c: &mut Criterion) {
    let numbers = mixed();
    let resolver = cnid::Resolver::new();
    let mut g = c.benchmark_group("mixed_10k");
    g.throughput(criterion::Throughput::Elements(numbers.len() as u64));
    g.bench_function("resolve", |b| {
        b.iter(|| {
            let mut valid = 0usize;
            for s in &numbers {
                let r = resolver.resolve(black_box(s));
                if let Some(n) = r.number() {
                    black_box(n.birth_ymd());
                    black_box(n.sex());
                    valid += 1;
                }
                if let Some(region) = r.region() {
                    black_box(region.name());
                }
            }
            valid
        })
    });
    g.bench_function("resolve_json", |b| {
        let mut out = String::with_capacity(512);
        b.iter(|| {
            for s in &numbers {
                out.clear();
                let r = resolver.resolve(black_box(s));
                cnid::wire::write_json(&mut out, &cnid::wire::Fields::new(&r, s));
                black_box(out.len());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_mixed);
criterion_main!(benches);
