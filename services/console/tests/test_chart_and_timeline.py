"""The PCL-5 chart's geometry and the merged timeline, from the services' views as JSON."""

from carepath_console.chart import iesr_chart, pcl5_chart
from carepath_console.timeline import pathway_timeline
from carepath_contracts import default_protocol

PROTOCOL = default_protocol()
FOLLOWUP = {
    "screened_at": "2026-01-05T08:00:00Z",
    "baseline": {"total": 56},
    "trajectory": [
        {
            "instrument": "pcl5",
            "total": 46,
            "timepoint": "after_first_infusion",
            "submitted_at": "2026-01-07T11:40:00Z",
        },
        {
            "instrument": "iesr",
            "total": 50,
            "timepoint": "after_first_infusion",
            "submitted_at": "2026-01-07T11:40:00Z",
        },
        {
            "instrument": "pcl5",
            "total": 67,
            "timepoint": "week_2",
            "submitted_at": "2026-02-02T11:40:00Z",
        },
    ],
    "assessments": [],
    "therapy_sessions": [],
    "decisions": [],
    "reviews": [
        {
            "opened_at": "2026-02-02T11:40:00Z",
            "reason": "worsening",
            "urgency": "urgent",
            "respond_by": "2026-02-02T15:40:00Z",
            "resolved_at": None,
        }
    ],
}


def test_the_chart_marks_baseline_thresholds_and_reviews_on_the_pcl5_scale():
    chart = pcl5_chart(FOLLOWUP, PROTOCOL)
    assert [p.total for p in chart.points] == [56, 46, 67]  # the IES-R is not on this scale
    levels = {level.css: level for level in chart.levels}
    response_at = 56 - PROTOCOL.pcl5.response_drop_points
    assert levels["response"].label == f"response ≤ {response_at}"
    assert levels["remission"].label == f"remission < {PROTOCOL.pcl5.remission_below}"
    _, top, _, bottom = chart.plot
    # Higher scores are drawn higher up; a level sits where its score would.
    assert chart.points[2].y < chart.points[0].y < chart.points[1].y
    baseline_point = chart.points[0]
    assert abs(levels["baseline"].y - baseline_point.y) < 0.01
    assert top <= min(p.y for p in chart.points) and max(p.y for p in chart.points) <= bottom
    (review,) = chart.markers
    assert review.css == "review" and review.x == chart.points[2].x
    assert "week_2 67" in chart.description


def test_the_iesr_has_its_own_scale_and_cut_off_and_no_chart_without_a_score():
    chart = iesr_chart(FOLLOWUP, PROTOCOL)
    assert [p.total for p in chart.points] == [50]
    (cut_off,) = chart.levels
    assert cut_off.label == f"probable PTSD ≥ {PROTOCOL.iesr.probable_ptsd_at_or_above}"
    assert chart.y_ticks[-1].label == "80" and chart.title == "IES-R over time"
    pcl5_only = FOLLOWUP | {"trajectory": FOLLOWUP["trajectory"][:1]}
    assert iesr_chart(pcl5_only, PROTOCOL) is None


def test_the_timeline_is_one_sorted_course_across_the_services():
    infusion = {
        "sessions": [
            {
                "kind": "induction",
                "session_number": 1,
                "dose_mg": 41.0,
                "dose_given_mg": None,
                "history": [
                    {
                        "at": "2026-01-06T09:00:00Z",
                        "what": "alert_raised",
                        "detail": {"rule": "systolic_high", "deviations": []},
                    },
                ],
            }
        ]
    }
    entries = pathway_timeline(None, infusion, FOLLOWUP)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    alert = entries[0]
    assert alert.kind == "alert" and alert.what == "induction infusion 1: alert raised"
    assert alert.detail == "dose mg 41, rule systolic_high"  # empty lists are left out
    assert entries[-1].what == "review opened (urgent): worsening"
