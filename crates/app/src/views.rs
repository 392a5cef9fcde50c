//! The replica's and the survey's values as the window shows them: labels in the current
//! language, option labels beside stored codes, times as RFC 3339.

use chrono::{DateTime, SecondsFormat, Utc};
use simpul_replica::{Conflict, Filter, Summary, Written};
use simpul_survey::{Form, ItemKind, Lang};

use crate::ipc::{
    ChoiceView, ConflictValue, ConflictView, FormView, ItemKindView, ItemView, ResponseFilter,
    ResponseRow,
};

pub(crate) fn form_view(form: &Form, lang: Lang) -> FormView {
    FormView {
        id: form.id.clone(),
        title: form.title.get(lang).to_string(),
        items: form
            .items
            .iter()
            .map(|item| ItemView {
                id: item.id.clone(),
                label: item.label.get(lang).to_string(),
                required: item.required,
                kind: kind_view(&item.kind, lang),
            })
            .collect(),
    }
}

fn kind_view(kind: &ItemKind, lang: Lang) -> ItemKindView {
    match kind {
        ItemKind::Scored { unsur, options } => ItemKindView::Scored {
            unsur: unsur.clone(),
            options: options.iter().map(|o| o.get(lang).to_string()).collect(),
        },
        ItemKind::Choice {
            options,
            other,
            other_item,
        } => ItemKindView::Choice {
            options: options
                .iter()
                .map(|c| ChoiceView {
                    code: c.code.clone(),
                    label: c.label.get(lang).to_string(),
                    labels: vec![c.label.id.clone(), c.label.en.clone()],
                })
                .collect(),
            other: other.clone(),
            other_item: other_item.clone(),
        },
        ItemKind::Integer { min, max } => ItemKindView::Integer {
            min: *min,
            max: *max,
        },
        ItemKind::Date => ItemKindView::Date,
        ItemKind::Text { max_len } => ItemKindView::Text {
            max_len: u32::try_from(*max_len).unwrap_or(u32::MAX),
        },
    }
}

/// A stored value as people read it: the option's label for scored and choice items, a day
/// with its month in words (`30 Nov 2026`), the value itself otherwise.
pub(crate) fn display(form: &Form, item: &str, value: Option<&str>, lang: Lang) -> Option<String> {
    let value = value?;
    let label = form.item(item).and_then(|item| match &item.kind {
        ItemKind::Scored { options, .. } => value
            .parse::<usize>()
            .ok()
            .and_then(|score| options.get(score.checked_sub(1)?))
            .map(|o| o.get(lang).to_string()),
        ItemKind::Choice { options, .. } => options
            .iter()
            .find(|c| c.code == value)
            .map(|c| c.label.get(lang).to_string()),
        ItemKind::Date => {
            simpul_survey::parse_day(value).map(|day| simpul_survey::show_day(day, lang))
        }
        _ => None,
    });
    Some(label.unwrap_or_else(|| value.to_string()))
}

pub(crate) fn label(form: Option<&Form>, item: &str, lang: Lang) -> String {
    form.and_then(|f| f.item(item))
        .map_or_else(|| item.to_string(), |i| i.label.get(lang).to_string())
}

pub(crate) fn conflict_view(conflict: &Conflict, form: Option<&Form>, lang: Lang) -> ConflictView {
    ConflictView {
        response: conflict.response.to_string(),
        serial: conflict.serial.clone(),
        field: conflict.field.clone(),
        label: label(form, &conflict.field, lang),
        values: conflict
            .written
            .iter()
            .map(|w: &Written| ConflictValue {
                value: w.value.clone(),
                display: form.and_then(|f| display(f, &conflict.field, w.value.as_deref(), lang)),
                by: w.by.clone(),
                at: w.at.and_then(DateTime::from_timestamp_millis).map(time),
            })
            .collect(),
    }
}

pub(crate) fn row(summary: &Summary) -> ResponseRow {
    ResponseRow {
        id: summary.id.to_string(),
        channel: summary.channel.clone(),
        serial: summary.serial.clone(),
        service: summary.service.clone(),
        period: summary.period.clone(),
        status: summary.status.clone(),
        deleted: summary.deleted,
        conflicts: summary.conflicts,
        created_at: time(summary.created_at),
        updated_at: time(summary.updated_at),
    }
}

/// The replica's filter for the window's: blank text means "any".
pub(crate) fn filter(f: &ResponseFilter) -> Filter {
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Filter {
        period: text(&f.period),
        service: text(&f.service),
        channel: f.channel,
        has_conflict: f.has_conflict,
        include_deleted: f.include_deleted,
        ..Filter::default()
    }
}

pub(crate) fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_codes_are_shown_by_their_labels_in_the_current_language() {
        let form = simpul_survey::skm_2017();
        assert_eq!(
            display(&form, "U1", Some("4"), Lang::Id).as_deref(),
            Some("Sangat sesuai")
        );
        assert_eq!(
            display(&form, "U1", Some("1"), Lang::En).as_deref(),
            Some("Not suitable")
        );
        assert_eq!(
            display(&form, "jenis_kelamin", Some("P"), Lang::Id).as_deref(),
            Some("Perempuan")
        );
        assert_eq!(
            display(&form, "umur", Some("37"), Lang::Id).as_deref(),
            Some("37")
        );
        assert_eq!(display(&form, "U1", None, Lang::Id), None);
        assert_eq!(
            display(&form, "tanggal", Some("2026-08-05"), Lang::Id).as_deref(),
            Some("5 Agu 2026")
        );
    }

    #[test]
    fn the_form_view_keeps_the_forms_order_and_kinds() {
        let view = form_view(&simpul_survey::skm_2017(), Lang::En);
        let u1 = view.items.iter().position(|i| i.id == "U1").unwrap();
        let u9 = view.items.iter().position(|i| i.id == "U9").unwrap();
        assert!(u1 < u9);
        assert!(
            matches!(&view.items[u1].kind, ItemKindView::Scored { options, .. } if options.len() == 4)
        );
        assert_eq!(view.title, "Community satisfaction survey (SKM)");
    }

    use crate::ipc::Channel;

    #[test]
    fn the_window_filter_passes_its_channel_through_and_blank_text_means_any() {
        let web = ResponseFilter {
            channel: Some(Channel::Web),
            period: Some(" ".into()),
            ..ResponseFilter::default()
        };
        let filter = filter(&web);
        assert_eq!(filter.channel, Some(Channel::Web));
        assert_eq!(filter.period, None);
    }
}
