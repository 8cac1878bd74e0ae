//! Time-varying parameters (docs/model.md §3.18): `[[series]]` and `set` events as a schedule of
//! compiled segments.
//!
//! A replication's sampled scenario gives, per scheduled address, its value in every month
//! ([`monthly_values`]); the months where every scheduled value stays the same form a segment,
//! compiled once per replication from the scenario with those values applied
//! ([`compile_segments`]). The simulation switches to a segment's compiled scenario at its
//! first month (`Sim::run`); the state is initialised from the first segment only. A scenario
//! without series or `set` events is one segment, compiled exactly as before.
//!
//! Rules: a series keeps the scenario value before its first point and its last value after
//! the last; `step` holds each point's value until the next point, `linear` interpolates month
//! by month. Sources apply in order (the series in file order, then the `set` events by month,
//! in file order within a month), each from its first month on, a later one overriding an
//! earlier one for the same address.

use super::compiled::Compiled;
use crate::scenario::address::set_all;
use crate::scenario::{EventKind, Interpolation, Scenario, YearMonth};

/// Whether `s` schedules any parameter change.
pub fn is_scheduled(s: &Scenario) -> bool {
    !s.series.is_empty() || s.events.iter().any(|e| e.kind == EventKind::Set)
}

/// The value at month `t` (from the run's start) of a series with `points` (months from the
/// start, values; in increasing month order); `None` before the first point.
pub fn series_value(points: &[(i64, f64)], interpolation: Interpolation, t: i64) -> Option<f64> {
    let i = points.partition_point(|p| p.0 <= t).checked_sub(1)?;
    let (t0, v0) = points[i];
    match (interpolation, points.get(i + 1)) {
        (Interpolation::Linear, Some(&(t1, v1))) if t1 > t0 => {
            Some(v0 + (v1 - v0) * (t - t0) as f64 / (t1 - t0) as f64)
        }
        _ => Some(v0),
    }
}

/// The scheduled addresses of `s` and, per address, its value in each month of the run (NaN:
/// the scenario's own value).
pub fn monthly_values(s: &Scenario) -> (Vec<String>, Vec<Vec<f64>>) {
    let start = s.scenario.start;
    let horizon = s.scenario.horizon_months as usize;
    let mut keys: Vec<String> = Vec::new();
    let mut values: Vec<Vec<f64>> = Vec::new();
    let slot = |key: &str, keys: &mut Vec<String>, values: &mut Vec<Vec<f64>>| {
        keys.iter().position(|k| k == key).unwrap_or_else(|| {
            keys.push(key.to_string());
            values.push(vec![f64::NAN; horizon]);
            keys.len() - 1
        })
    };
    let rel = |m: YearMonth| start.months_until(m);
    for (j, sr) in s.series.iter().enumerate() {
        let points: Vec<(i64, f64)> = match &sr.points {
            Some(p) => p.iter().map(|&(m, v)| (rel(m), v)).collect(),
            None => s
                .observed
                .series
                .get(j)
                .map(|p| p.iter().map(|&(m, v)| (rel(m), v)).collect())
                .unwrap_or_default(),
        };
        let k = slot(&sr.address, &mut keys, &mut values);
        for (t, x) in values[k].iter_mut().enumerate() {
            if let Some(v) = series_value(&points, sr.interpolation, t as i64) {
                *x = v;
            }
        }
    }
    let mut sets: Vec<_> = s
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Set)
        .filter_map(|e| Some((rel(e.month), e.address.as_deref()?, e.value.as_ref()?.get())))
        .collect();
    sets.sort_by_key(|e| e.0);
    for (from, key, v) in sets {
        let k = slot(key, &mut keys, &mut values);
        for x in values[k].iter_mut().skip(from.max(0) as usize) {
            *x = v;
        }
    }
    (keys, values)
}

/// The compiled segments of a sampled scenario: the first (from month 0) and the later ones
/// with their first month, in month order. Without a schedule: `Compiled::new(s)` alone.
pub fn compile_segments(s: &Scenario) -> (Compiled, Vec<(u32, Compiled)>) {
    if !is_scheduled(s) {
        return (Compiled::new(s), Vec::new());
    }
    let (keys, values) = monthly_values(s);
    let horizon = s.scenario.horizon_months as usize;
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
    let changes = |t: usize| values.iter().any(|v| !same(v[t], v[t - 1]));
    let mut work = s.clone();
    let mut segment = |t: usize| {
        let (k, v): (Vec<String>, Vec<f64>) = keys
            .iter()
            .zip(&values)
            .filter(|(_, v)| !v[t].is_nan())
            .map(|(k, v)| (k.clone(), v[t]))
            .unzip();
        // Addresses back at the scenario value (never: a source holds once started), and the
        // ones set: the validated addresses always exist.
        set_all(&mut work, &k, &v);
        Compiled::new(&work)
    };
    let first = segment(0);
    let later = (1..horizon)
        .filter(|&t| changes(t))
        .map(|t| (t as u32, segment(t)))
        .collect();
    (first, later)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Event, Param, Series};

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn step_and_linear_values_per_month() {
        let pts = [(2, 1.0), (6, 3.0)];
        let step: Vec<_> = (0..9)
            .map(|t| series_value(&pts, Interpolation::Step, t))
            .collect();
        assert_eq!(
            step,
            [
                None,
                None,
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(3.0),
                Some(3.0),
                Some(3.0)
            ]
        );
        let lin: Vec<_> = (0..9)
            .map(|t| series_value(&pts, Interpolation::Linear, t))
            .collect();
        assert_eq!(
            lin,
            [
                None,
                None,
                Some(1.0),
                Some(1.5),
                Some(2.0),
                Some(2.5),
                Some(3.0),
                Some(3.0),
                Some(3.0)
            ]
        );
        // Points before the start count.
        assert_eq!(
            series_value(&[(-12, 0.5), (12, 1.5)], Interpolation::Linear, 0),
            Some(1.0)
        );
    }

    #[test]
    fn segments_follow_the_schedule_and_set_overrides_series() {
        let mut s = Scenario::default();
        s.scenario.start = ym("2023-04");
        s.scenario.horizon_months = 24;
        let key = "actors.seoul.china_exposure";
        s.series.push(Series {
            address: key.into(),
            file: None,
            points: Some(vec![(ym("2023-06"), 0.3), (ym("2023-10"), 0.5)]),
            interpolation: Interpolation::Linear,
        });
        let mut e = Event {
            address: Some(key.into()),
            value: Some(Param::Fixed(0.1)),
            ..Event::new(ym("2024-04"), EventKind::Set)
        };
        s.events.push(e.clone());
        e.address = Some("world.china.us_china_tension".into());
        e.value = Some(Param::Fixed(0.9));
        e.month = ym("2024-08");
        s.events.push(e);
        let base = Compiled::new(&s).c.exposure[0];
        let (first, later) = compile_segments(&s);
        assert_eq!(first.c.exposure[0], base);
        let starts: Vec<u32> = later.iter().map(|l| l.0).collect();
        assert_eq!(starts, [2, 3, 4, 5, 6, 12, 16]);
        let at = |t: u32| {
            let i = later.iter().rposition(|l| l.0 <= t).unwrap();
            (later[i].1.c.exposure[0], later[i].1.c.us_china_tension)
        };
        assert_eq!(at(2).0, 0.3);
        assert!((at(4).0 - 0.4).abs() < 1e-12);
        assert_eq!(at(6).0, 0.5);
        assert_eq!(at(12).0, 0.1);
        assert_eq!(at(15).1, first.c.us_china_tension);
        assert_eq!(at(16), (0.1, 0.9));
        // Without a schedule: one segment.
        assert!(compile_segments(&Scenario::default()).1.is_empty());
    }
}
