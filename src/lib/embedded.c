/*
 * embedded.c - lookup of the data files linked in by embedded_data.S.
 */
#include "lib/embedded.h"

#include <string.h>

extern const char lf_catalog_start[], lf_catalog_end[];
extern const char lf_policies_start[], lf_policies_end[];
extern const char lf_regions_start[], lf_regions_end[];
extern const char lf_counties_start[], lf_counties_end[];
extern const char lf_amounts_start[], lf_amounts_end[];
extern const char lf_disaster_start[], lf_disaster_end[];
extern const char lf_quality_start[], lf_quality_end[];
extern const char lf_budget_start[], lf_budget_end[];	/* issue 16 */
extern const char lf_supply_start[], lf_supply_end[];
extern const char lf_priority_start[], lf_priority_end[];
extern const char lf_recon_start[], lf_recon_end[];
extern const char lf_targets_start[], lf_targets_end[];
extern const char lf_ptexts_start[], lf_ptexts_end[];
extern const char lf_openapi_start[], lf_openapi_end[];

int
embedded_get(const char *name, struct embedded_file *out)
{
	const struct embedded_file files[] = {
		{ "data/catalog.tsv", lf_catalog_start,
		    (size_t)(lf_catalog_end - lf_catalog_start) },
		{ "data/policies.tsv", lf_policies_start,
		    (size_t)(lf_policies_end - lf_policies_start) },
		{ "data/regions-sichuan.tsv", lf_regions_start,
		    (size_t)(lf_regions_end - lf_regions_start) },
		{ "data/regions-china-counties.tsv", lf_counties_start,
		    (size_t)(lf_counties_end - lf_counties_start) },
		{ "data/policy_amounts.tsv", lf_amounts_start,
		    (size_t)(lf_amounts_end - lf_amounts_start) },
		{ "data/disaster_regions.tsv", lf_disaster_start,
		    (size_t)(lf_disaster_end - lf_disaster_start) },
		{ "data/quality_rules.tsv", lf_quality_start,
		    (size_t)(lf_quality_end - lf_quality_start) },
		/* issue 16 */
		{ "data/budget_shares.tsv", lf_budget_start,
		    (size_t)(lf_budget_end - lf_budget_start) },
		{ "data/supply_items.tsv", lf_supply_start,
		    (size_t)(lf_supply_end - lf_supply_start) },
		{ "data/distribution_rules.tsv", lf_priority_start,
		    (size_t)(lf_priority_end - lf_priority_start) },
		{ "data/reconcile_kinds.tsv", lf_recon_start,
		    (size_t)(lf_recon_end - lf_recon_start) },
		{ "data/targets.tsv", lf_targets_start,
		    (size_t)(lf_targets_end - lf_targets_start) },
		{ "data/policy_texts.tsv", lf_ptexts_start,
		    (size_t)(lf_ptexts_end - lf_ptexts_start) },
		{ "data/openapi.json", lf_openapi_start,
		    (size_t)(lf_openapi_end - lf_openapi_start) },
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(files[i].name, name) == 0) {
			*out = files[i];
			return 0;
		}
	return -1;
}
