"""Google Ads, Meta and LinkedIn loaders on the hand-written fixture files."""

from __future__ import annotations

import orjson

GOOGLE_DAY1 = "ads/google_ads/2026-01-01_stream.json"


def test_google_ads_flattens_all_batches_and_keeps_int64_strings(wh, landing):
    wh.load(landing, "google_ads")
    got = wh.rows(
        "select segments_date, customer_id, customer_currency_code, customer_time_zone, "
        "campaign_id, campaign_name, ad_group_id, ad_group_name, ad_id, metrics_impressions, "
        "metrics_clicks, metrics_cost_micros, metrics_conversions, "
        "metrics_conversions_value, _source_file, _source_position, _load_id, _loaded_at "
        "from raw.google_ads__ad_stats order by _source_file, _source_position",
    )
    assert got == [
        # costMicros "1230000" lands as the text '1230000'; doubles in JSON notation
        ("2026-01-01", "1234567890", "USD", "America/New_York", "111", "Brand - Search",
         "222", "Brand exact", "333", "100", "7", "1230000", "2.0", "150.5",
         GOOGLE_DAY1, 1, "load-1", wh.now),
        # absent metrics stay null (staging reads them as 0)
        ("2026-01-01", "1234567890", "USD", "America/New_York", "111", "Brand - Search",
         "222", "Brand exact", "334", "5", None, None, None, None,
         GOOGLE_DAY1, 2, "load-1", wh.now),
        # a later file restating the same key: every version is loaded (later wins)
        ("2026-01-01", "1234567890", "USD", "America/New_York", "111", "Brand - Search",
         "222", "Brand exact", "333", "120", "8", "2000000", "3.0", "200.0",
         "ads/google_ads/2026-01-02_stream.json", 1, "load-1", wh.now),
    ]  # fmt: skip


def test_google_ads_record_keeps_unknown_fields(wh, landing):
    wh.load(landing, "google_ads")
    (record,) = wh.rows(
        "select _record from raw.google_ads__ad_stats where _source_file = ? "
        "and _source_position = 1",
        [GOOGLE_DAY1],
    )[0]
    parsed = orjson.loads(record)
    assert parsed["adGroupAd"]["status"] == "ENABLED"
    assert parsed["customer"]["resourceName"] == "customers/1234567890"


def test_google_ads_bad_records_and_unreadable_file(wh, landing):
    wh.load(landing, "google_ads")
    got = wh.reasons("google_ads")
    assert got[-1][2].startswith("invalid JSON: ")  # the parser's own words follow
    assert got[:-1] == [
        (GOOGLE_DAY1, 3, "metrics.costMicros '12.5' does not parse as an integer"),
        (GOOGLE_DAY1, 4, "missing required field adGroupAd.ad.id"),
        (GOOGLE_DAY1, 5, "segments.date '2026-02-30' does not parse as a date (YYYY-MM-DD)"),
    ]
    assert got[-1][:2] == ("ads/google_ads/2026-01-03_truncated.json", None)
    assert wh.ledger("google_ads") == [
        (GOOGLE_DAY1, "loaded", 5, 2, 0, 3),
        ("ads/google_ads/2026-01-02_stream.json", "loaded", 1, 1, 0, 0),
        ("ads/google_ads/2026-01-03_truncated.json", "unreadable", 1, 0, 0, 1),
    ]
    raw_text = wh.quarantine("google_ads")[-1][2]
    assert raw_text.startswith('[{"results": [{"customer": {"id": "1234567890"}')


def test_meta_numbers_as_strings_and_actions_as_json(wh, landing):
    wh.load(landing, "meta_ads")
    got = wh.rows(
        "select date_start, date_stop, account_id, account_currency, campaign_id, "
        "campaign_name, adset_id, adset_name, ad_id, ad_name, impressions, clicks, "
        "inline_link_clicks, reach, spend, actions, _source_position from raw.meta_ads__insights",
    )
    assert got == [
        ("2026-01-01", "2026-01-01", "987654321", "EUR", "23850000000000001",
         "Prospecting EU", "23850000000000011", "Lookalike 1%", "23850000000000111",
         "Video A", "2500", "40", "31", "2100", "35.27",
         '[{"action_type":"link_click","value":"31"},{"action_type":"lead","value":"2"},'
         '{"action_type":"offsite_conversion.fb_pixel_lead","value":"2"},'
         '{"action_type":"omni_lead","value":"2"}]',
         1),
    ]  # fmt: skip
    got = [(p, reason) for _, p, _, reason in wh.quarantine("meta_ads")]
    assert got == [
        (2, "spend 'abc' does not parse as a number"),
        (3, "missing required field ad_id"),
        (4, "impressions '1,000' does not parse as an integer"),
        (5, "actions value (lead) 'two' does not parse as a number"),
    ]


def test_linkedin_analytics_dates_pivot_and_long_cost_tails(wh, landing):
    wh.load(landing, "linkedin_ads")
    got = wh.rows(
        "select date_start, date_end, creative_urn, impressions, clicks, "
        "external_website_conversions, cost_in_local_currency, cost_in_usd, _source_position "
        "from raw.linkedin_ads__ad_analytics",
    )
    assert got == [
        ("2026-01-05", "2026-01-05", "urn:li:sponsoredCreative:901", "1000", "12", "2",
         "99.99999999999996", "99.99999999999996", 1),
    ]  # fmt: skip
    analytics = "ads/linkedin_ads/analytics/2026-01-05.json"
    got = wh.reasons("linkedin_ads")
    assert got == [
        (
            analytics,
            2,
            'dateRange.start {"year":2026,"month":13,"day":1} is not a valid '
            "{year, month, day} date",
        ),
        (analytics, 3, "missing required field pivotValues[0]"),
        (analytics, 4, "costInLocalCurrency '12,50' does not parse as a number"),
        ("ads/linkedin_ads/creatives/2026-01-05.json", 2, "missing required field id"),
    ]


def test_linkedin_campaigns_flatten_daily_budget_and_creatives(wh, landing):
    result = wh.load(landing, "linkedin_ads")
    assert set(result.tables) == {"ad_analytics", "campaigns", "creatives"}
    assert wh.rows(
        "select id, name, account, campaign_group, status, daily_budget_amount, "
        "daily_budget_currency_code from raw.linkedin_ads__campaigns order by id",
    ) == [
        ("501", "Q1 Demand Gen", "urn:li:sponsoredAccount:77",
         "urn:li:sponsoredCampaignGroup:88", "ACTIVE", "50.00", "USD"),
        ("502", "Retargeting", "urn:li:sponsoredAccount:77",
         "urn:li:sponsoredCampaignGroup:88", "PAUSED", None, None),
    ]  # fmt: skip
    assert wh.rows("select id, campaign from raw.linkedin_ads__creatives") == [
        ("urn:li:sponsoredCreative:901", "urn:li:sponsoredCampaign:501")
    ]


def test_json_document_of_the_wrong_shape_is_unreadable(wh, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "ads" / "meta_ads"
    folder.mkdir(parents=True)
    (folder / "a_list.json").write_text('[{"ad_id": "1"}]')
    (folder / "b_empty.json").write_text("")
    (folder / "c_not_json.json").write_text("<html>rate limited</html>")
    result = wh.load(landing, "meta_ads")
    assert result.tables["insights"].files_unreadable == 3
    got = wh.quarantine("meta_ads")
    assert got[2][3].startswith("invalid JSON: ")
    assert got[:2] == [
        (
            "ads/meta_ads/a_list.json",
            None,
            '[{"ad_id": "1"}]',
            'expected an Insights page {"data": [...]}, got an array',
        ),
        ("ads/meta_ads/b_empty.json", None, None, "file is empty"),
    ]
    assert got[2][:3] == ("ads/meta_ads/c_not_json.json", None, "<html>rate limited</html>")
