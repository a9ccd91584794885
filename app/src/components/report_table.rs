//! A report as a table (with a totals row) and as chart bars, shared by the admin's report
//! screen and the portal's breakdowns.

use leptos::prelude::*;

use super::Bar;
use crate::domain::money::format_usd;
use crate::domain::report::{GroupBy, Report, ReportRow};

/// What a report row reads as on a chart's axis: `Mar 5` for days, the label (shortened) else.
pub fn axis_label(group: GroupBy, row: &ReportRow) -> String {
    if group == GroupBy::Day {
        return chrono::NaiveDate::parse_from_str(&row.key, "%Y-%m-%d")
            .map(|d| d.format("%b %-d").to_string())
            .unwrap_or_else(|_| row.key.clone());
    }
    let label = if row.label.is_empty() { "(none)" } else { row.label.as_str() };
    match label.char_indices().nth(12) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_owned(),
    }
}

/// Conversions per row; days keep their order, other groups their largest `limit`.
pub fn conversion_bars(report: &Report, limit: usize) -> Vec<Bar> {
    report
        .rows
        .iter()
        .take(if report.group == GroupBy::Day { usize::MAX } else { limit })
        .map(|r| Bar { label: axis_label(report.group, r), value: r.conversions, display: r.conversions.to_string() })
        .collect()
}

/// Payouts per row, like `conversion_bars`.
pub fn payout_bars(report: &Report, limit: usize) -> Vec<Bar> {
    report
        .rows
        .iter()
        .take(if report.group == GroupBy::Day { usize::MAX } else { limit })
        .map(|r| Bar { label: axis_label(report.group, r), value: r.payout_cents, display: format_usd(r.payout_cents) })
        .collect()
}

#[component]
pub fn ReportTable(report: Report, #[prop(into)] test_id: String) -> impl IntoView {
    let heading = report.group.label();
    let group = report.group;
    let rows = report.rows;
    let totals = report.totals;
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Report">
            <table class="report" data-testid=test_id>
                <thead>
                    <tr>
                        <th scope="col">{heading}</th>
                        <th scope="col" class="num">"Conversions"</th>
                        <th scope="col" class="num">"Credited"</th>
                        <th scope="col" class="num">"Held"</th>
                        <th scope="col" class="num">"Reversed"</th>
                        <th scope="col" class="num">"Payout"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let empty = r.key.is_empty();
                        let name = if empty { "(none)".to_string() } else { r.label.clone() };
                        let detail = (group != GroupBy::Day && !empty && r.label != r.key).then(|| r.key.clone());
                        view! {
                            <tr data-testid="report-row" data-key=r.key.clone() class:row-quiet=r.conversions == 0>
                                <th scope="row" class:muted=empty>
                                    <span class="clip">{name}</span>
                                    {detail.map(|key| view! { <span class="muted small"> " · " <code>{key}</code></span> })}
                                </th>
                                <td class="num" data-col="conversions">{r.conversions}</td>
                                <td class="num" data-col="credited">{r.credited}</td>
                                <td class="num" data-col="held">{r.held}</td>
                                <td class="num" data-col="reversed">{r.reversed}</td>
                                <td class="num" data-col="payout">{format_usd(r.payout_cents)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr data-testid="report-totals">
                        <th scope="row">"Total"</th>
                        <td class="num">{totals.conversions}</td>
                        <td class="num">{totals.credited}</td>
                        <td class="num">{totals.held}</td>
                        <td class="num">{totals.reversed}</td>
                        <td class="num">{format_usd(totals.payout_cents)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_are_short() {
        let row = |key: &str, label: &str| ReportRow { key: key.into(), label: label.into(), ..ReportRow::default() };
        assert_eq!(axis_label(GroupBy::Day, &row("2025-03-05", "2025-03-05")), "Mar 5");
        assert_eq!(axis_label(GroupBy::Offer, &row("o1", "A rather long offer name")), "A rather lon…");
        assert_eq!(axis_label(GroupBy::S1, &row("", "")), "(none)");
    }
}
