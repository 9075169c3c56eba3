//! `cnid::bulk` next to a loop of `Resolver::resolve` over the same column of numbers, as
//! numbers per second (criterion's throughput). Run: `cargo bench --bench bulk`.
//!
//! Two columns of 100,000 synthetic numbers from a fixed seed, with region codes drawn
//! from the whole table (so the region look-up misses the cache as in real data):
//! `valid` (every number right) and `mixed` (per 1,000: 900 valid, 30 wrong check
//! character, 20 impossible dates, 20 of 15 digits, 10 unknown regions, 20 too short).

use std::hint::black_box;

use chrono::NaiveDate;
use cnid::bulk::{self, Columns};
use cnid::{Region, Resolver, Status};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROWS: usize = 100_000;

fn column(mix: bool) -> Vec<String> {
    let codes: Vec<u32> = Region::all().map(|r| r.code()).collect();
    let mut x: u64 = 0x2026_1201;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let complete = |body: String| {
        let c = cnid::check_character(body.as_bytes().try_into().unwrap()).unwrap();
        format!("{body}{c}")
    };
    (0..ROWS)
        .map(|_| {
            let code = codes[next(codes.len() as u64) as usize];
            let (y, m, d, seq) = (1940 + next(80), 1 + next(12), 1 + next(28), next(1000));
            let body = format!("{code:06}{y}{m:02}{d:02}{seq:03}");
            match if mix { next(1000) } else { 0 } {
                0..=899 => complete(body),
                900..=929 => format!(
                    "{body}{}",
                    if complete(body.clone()).ends_with('0') {
                        1
                    } else {
                        0
                    }
                ),
                930..=949 => complete(format!("{code:06}{y}02{}{seq:03}", 30 + next(2))),
                950..=969 => format!("{code:06}{:02}{m:02}{d:02}{seq:03}", y % 100),
                970..=979 => complete(format!("1199{:02}{y}{m:02}{d:02}{seq:03}", 90 + next(10))),
                _ => complete(body)[..16].to_owned(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let resolver = Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    for (name, mix) in [("valid", false), ("mixed", true)] {
        // Laid out as an Arrow string column is: one buffer and offsets.
        let strings = column(mix);
        let values: String = strings.concat();
        let mut offsets = vec![0usize];
        for s in &strings {
            offsets.push(offsets.last().unwrap() + s.len());
        }
        let inputs: Vec<&str> = offsets.windows(2).map(|w| &values[w[0]..w[1]]).collect();
        let mut g = c.benchmark_group(format!("bulk_{name}"));
        g.throughput(Throughput::Elements(ROWS as u64));
        g.bench_function("resolve_loop_status", |b| {
            let mut out: Vec<Status> = Vec::with_capacity(ROWS);
            b.iter(|| {
                out.clear();
                out.extend(
                    inputs
                        .iter()
                        .map(|s| resolver.resolve(black_box(s)).status()),
                );
                black_box(out.len())
            })
        });
        g.bench_function("statuses_into", |b| {
            let mut out: Vec<Status> = Vec::with_capacity(ROWS);
            b.iter(|| {
                out.clear();
                bulk::statuses_into(&resolver, inputs.iter().map(|s| black_box(*s)), &mut out);
                black_box(out.len())
            })
        });
        g.bench_function("resolve_into", |b| {
            let mut out = Columns::with_capacity(ROWS);
            b.iter(|| {
                out.clear();
                bulk::resolve_into(&resolver, inputs.iter().map(|s| black_box(*s)), &mut out);
                black_box(out.len())
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
