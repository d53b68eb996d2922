//! What `sopsim gather` costs on a large export: 1,000,000 opportunities in this data
//! set's format (30 owners, won, lost and open deals over two years), read, checked
//! and fitted into a scenario. The target is under 2 s for the million rows.
//!
//! `cargo bench --bench gather` runs it with criterion and prints the rows a second.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use sopsim::gather::{Options, date::Date, gather, read::ReadOptions};

/// A synthetic export of `rows` opportunities, drawn from a fixed sequence.
fn export(rows: u64) -> Vec<u8> {
    let mut text =
        String::from("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n");
    let start = Date::from_ymd(2016, 1, 1).map_or(0, |d| d.0);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for id in 0..rows {
        let created = Date(start + (next() % 700) as i32);
        let cycle = (next() % 120) as i32;
        let closed = Date(created.0 + cycle);
        let agent = next() % 30;
        let value = 50 + next() % 5000;
        let line = match next() % 10 {
            0..=5 => format!("{id:08X},Agent {agent},GTX,Acme,Won,{created},{closed},{value}\n"),
            6..=8 => format!("{id:08X},Agent {agent},GTX,Acme,Lost,{created},{closed},0\n"),
            _ => format!("{id:08X},Agent {agent},GTX,,Engaging,{created},,\n"),
        };
        text.push_str(&line);
    }
    text.into_bytes()
}

fn main() {
    let rows = 1_000_000;
    let bytes = export(rows);
    let options = Options { read: ReadOptions::default(), as_of: None, months: 12, fiscal_year_start: None };
    let mut c = Criterion::default().configure_from_args().sample_size(10);
    let mut group = c.benchmark_group("gather");
    group.throughput(Throughput::Elements(rows));
    group.bench_function("1m-rows", |b| {
        b.iter(|| match gather("bench.csv", black_box(&bytes), &options) {
            Ok(g) => g.toml.len(),
            Err(e) => panic!("{e}"),
        });
    });
    group.finish();
    c.final_summary();
    println!("export: {} MB, {rows} rows", bytes.len() / 1_000_000);
}
