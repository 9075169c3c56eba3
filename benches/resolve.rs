//! The core's hot path: check digit, parse, resolve (hit and miss), resolve + JSON.
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

criterion_group!(benches, bench);
criterion_main!(benches);
