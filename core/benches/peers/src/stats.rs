//! Medians, p99 and ratios to the baseline, as a markdown table.

fn percentile(times: &[f64], p: f64) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    t[((t.len() - 1) as f64 * p).round() as usize]
}

/// Prints one row per system; system 0 is the baseline.
pub fn print(rows: u64, batches: usize, labels: &[&str], times: &[Vec<f64>]) {
    let base = percentile(&times[0], 0.5);
    println!(
        "\n### R1 against the peers: {rows} rows, 1000 random keys x 10 float32 columns, {batches} batches\n"
    );
    println!("| system | median us | p99 us | Mkeys/s | median vs baseline |");
    println!("|---|---:|---:|---:|---:|");
    for (label, t) in labels.iter().zip(times) {
        let m = percentile(t, 0.5);
        println!(
            "| {label} | {m:.1} | {:.1} | {:.2} | {:.2}x |",
            percentile(t, 0.99),
            1000.0 / m,
            m / base
        );
    }
}
