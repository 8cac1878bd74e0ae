//! (temporary stand-in until the charts branch lands)
use super::dir::Staging;
use crate::engine::sweep::SweepResults;
use anyhow::Result;
pub fn sweep_charts(
    _: &Staging,
    _: &SweepResults,
    _: usize,
    _: Option<(usize, usize)>,
) -> Result<Vec<String>> {
    Ok(vec![])
}
pub fn sobol_chart(
    _: &Staging,
    _: &[String],
    _: &[(f64, [f64; 2])],
    _: &[(f64, [f64; 2])],
    _: &str,
) -> Result<Vec<String>> {
    Ok(vec![])
}
pub fn tornado_chart(
    _: &Staging,
    _: f64,
    _: &[(String, f64, f64)],
    _: &str,
    _: &str,
) -> Result<Vec<String>> {
    Ok(vec![])
}
pub fn prim_chart(_: &Staging, _: &[(f64, f64, usize)], _: usize, _: &str) -> Result<Vec<String>> {
    Ok(vec![])
}
