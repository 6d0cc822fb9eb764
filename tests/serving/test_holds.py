"""Which marts a failure holds back: only those it guards, and their publication group."""

from __future__ import annotations

from orchestration.serving.holds import NOT_REBUILT, FailedRule, MartNode, mart_graph, plan_holds


def _mart(name: str, *upstream: str, group: str | None = None) -> MartNode:
    return MartNode(name, group or name, frozenset({f"marts/{name}", *upstream}))


ADS = "intermediate/int_ad_performance_unioned"
DEALS = "intermediate/int_opportunities_converted"
CREDITS = "intermediate/int_attribution_credits"
MARTS = [
    _mart("mart_email_campaigns", "raw/sendgrid/events", "staging/stg_sendgrid__events"),
    _mart("mart_marketing_daily", "raw/meta_ads/insights", ADS, CREDITS),
    _mart("mart_sales_monthly", "raw/meta_ads/insights", ADS, DEALS, group="revenue"),
    _mart("mart_sales_owner_monthly", DEALS, group="revenue"),
    _mart("fct_attribution", DEALS, CREDITS, group="revenue"),
    _mart("mart_channel_roi", ADS, DEALS, CREDITS, "marts/fct_attribution", group="revenue"),
]
REVENUE = {"mart_sales_monthly", "mart_sales_owner_monthly", "fct_attribution", "mart_channel_roi"}


def test_nothing_failed_holds_nothing() -> None:
    assert plan_holds(MARTS, []) == {}


def test_a_deal_without_a_rate_holds_the_revenue_marts_only() -> None:
    held = plan_holds(MARTS, [FailedRule(DEALS, "fx_rate_available_for_deals")])

    assert set(held) == REVENUE
    assert held["fct_attribution"] == f"{DEALS} / fx_rate_available_for_deals"


def test_a_failed_mart_check_holds_its_whole_publication_group() -> None:
    held = plan_holds(MARTS, [FailedRule("marts/mart_channel_roi", "roas_not_negative")])

    assert set(held) == REVENUE
    assert held["mart_channel_roi"] == "marts/mart_channel_roi / roas_not_negative"
    assert held["mart_sales_monthly"] == (
        "held with mart_channel_roi (publication group revenue): "
        "marts/mart_channel_roi / roas_not_negative"
    )


def test_a_failed_raw_check_holds_what_is_built_from_the_raw_table() -> None:
    held = plan_holds(MARTS, [FailedRule("raw/meta_ads/insights", "values_in_range")])

    # mart_sales_monthly shows Meta spend; its group follows it; email is untouched
    assert set(held) == REVENUE | {"mart_marketing_daily"}
    assert held["mart_channel_roi"].startswith("held with mart_sales_monthly (publication group")


def test_a_mart_dbt_did_not_rebuild_is_held_without_a_rule() -> None:
    held = plan_holds(MARTS, [], not_rebuilt=["mart_email_campaigns"])

    assert held == {"mart_email_campaigns": NOT_REBUILT}


def test_every_failed_rule_guarding_a_mart_is_named() -> None:
    held = plan_holds(
        MARTS,
        [
            FailedRule(DEALS, "fx_rate_available_for_deals"),
            FailedRule(ADS, "fx_rate_available_for_ad_spend"),
        ],
    )

    assert held["mart_sales_monthly"] == (
        f"{ADS} / fx_rate_available_for_ad_spend; {DEALS} / fx_rate_available_for_deals"
    )
    assert held["mart_marketing_daily"] == f"{ADS} / fx_rate_available_for_ad_spend"


def test_mart_graph_reads_groups_and_upstream_assets_from_the_manifest() -> None:
    manifest = {
        "sources": {"source.p.crm.deal": {"resource_type": "source"}},
        "nodes": {
            "model.p.stg_deals": {
                "resource_type": "model",
                "name": "stg_deals",
                "fqn": ["p", "staging", "stg_deals"],
                "depends_on": {"nodes": ["source.p.crm.deal"]},
            },
            "model.p.mart_revenue": {
                "resource_type": "model",
                "name": "mart_revenue",
                "fqn": ["p", "marts", "sales", "mart_revenue"],
                "depends_on": {"nodes": ["model.p.stg_deals"]},
                "config": {"meta": {"publication_group": "revenue"}},
            },
            "model.p.mart_other": {
                "resource_type": "model",
                "name": "mart_other",
                "fqn": ["p", "marts", "mart_other"],
                "depends_on": {"nodes": []},
            },
            "test.p.deals_ok": {
                "resource_type": "test",
                "name": "deals_ok",
                "fqn": ["p", "marts", "deals_ok"],
                "depends_on": {"nodes": ["model.p.mart_revenue"]},
            },
        },
    }
    paths = {
        "source.p.crm.deal": "raw/crm/deal",
        "model.p.stg_deals": "staging/stg_deals",
        "model.p.mart_revenue": "marts/mart_revenue",
        "model.p.mart_other": "marts/mart_other",
    }

    graph = mart_graph(manifest, paths.__getitem__)

    assert graph == [
        MartNode("mart_other", "mart_other", frozenset({"marts/mart_other"})),
        MartNode(
            "mart_revenue",
            "revenue",
            frozenset({"marts/mart_revenue", "staging/stg_deals", "raw/crm/deal"}),
        ),
    ]


def test_on_the_project_a_deal_without_a_rate_holds_back_the_revenue_group_only() -> None:
    """The dbt project as built: the marts that show deal money are the revenue group,
    and nothing else is built from int_opportunities_converted."""
    from orchestration.serving.assets import mart_publication_graph

    graph = mart_publication_graph()
    revenue = {
        "fct_attribution",
        "fct_customer_journey",
        "fct_opportunities",
        "mart_channel_roi",
        "mart_pipeline_by_stage",
        "mart_sales_monthly",
        "mart_sales_owner_monthly",
    }
    assert {m.name for m in graph if m.group == "revenue"} == revenue
    assert {m.name for m in graph if m.group == "persons"} == {"dim_persons", "mart_funnel"}

    deals = FailedRule(DEALS, "fx_rate_available_for_deals")
    assert set(plan_holds(graph, [deals])) == revenue

    ad_spend = FailedRule(ADS, "fx_rate_available_for_ad_spend")
    assert set(plan_holds(graph, [ad_spend])) == revenue | {"mart_marketing_daily"}

    email = FailedRule("marts/mart_email_campaigns", "rates_between_0_and_1")
    assert set(plan_holds(graph, [email])) == {"mart_email_campaigns"}
