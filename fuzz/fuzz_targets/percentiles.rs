//! Percentiles: `stats`' p50 and p95 selected from unsorted durations
//! (a first count) against those read by rank from the sorted blocks that
//! a followed selection keeps, for the input read as `f64`s (any bits:
//! NaNs, zeros of both signs, ties): the same bits.
#![no_main]

use auditui::views::sorted::Sorted;
use auditui::views::stats::{nearest_rank, select_percentiles};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Each number's top two bytes (sign, exponent, the mantissa's first
    // bits) from the input, the rest zero: ties are common, as in logged
    // durations, and zeros, infinities and NaNs of both signs are there.
    let values: Vec<f64> = data
        .chunks(2)
        .map(|pair| {
            let top = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
            f64::from_bits(u64::from(top) << 48)
        })
        .collect();
    let mut sorted = Sorted::default();
    sorted.extend(values.clone());
    // No ranks of no numbers: `None` either way.
    let rank = |p| {
        let rank = (!values.is_empty()).then(|| nearest_rank(p, values.len()));
        rank.and_then(|rank| sorted.nth(rank)).map(f64::to_bits)
    };
    let expected = rank(0.50).zip(rank(0.95));
    let mut unsorted = values.clone();
    let selected = select_percentiles(&mut unsorted).map(|(a, b)| (a.to_bits(), b.to_bits()));
    assert_eq!(selected, expected, "{values:?}");
});
