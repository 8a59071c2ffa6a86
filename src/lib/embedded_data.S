/* embedded_data.S - the data files as read-only bytes (see embedded.h). */
	.section .rodata
	.balign 16
	.global lf_catalog_start, lf_catalog_end
lf_catalog_start:
	.incbin "data/catalog.tsv"
lf_catalog_end:
	.balign 16
	.global lf_policies_start, lf_policies_end
lf_policies_start:
	.incbin "data/policies.tsv"
lf_policies_end:
	.balign 16
	.global lf_regions_start, lf_regions_end
lf_regions_start:
	.incbin "data/regions-sichuan.tsv"
lf_regions_end:
	.balign 16
	.global lf_counties_start, lf_counties_end
lf_counties_start:
	.incbin "data/regions-china-counties.tsv"
lf_counties_end:
	.balign 16
	.global lf_amounts_start, lf_amounts_end
lf_amounts_start:
	.incbin "data/policy_amounts.tsv"
lf_amounts_end:
	.balign 16
	.global lf_disaster_start, lf_disaster_end
lf_disaster_start:
	.incbin "data/disaster_regions.tsv"
lf_disaster_end:
	.balign 16
	.global lf_quality_start, lf_quality_end
lf_quality_start:
	.incbin "data/quality_rules.tsv"
lf_quality_end:
	/* issue 16: budgets by government level, need-supply matching */
	.balign 16
	.global lf_budget_start, lf_budget_end
lf_budget_start:
	.incbin "data/budget_shares.tsv"
lf_budget_end:
	.balign 16
	.global lf_supply_start, lf_supply_end
lf_supply_start:
	.incbin "data/supply_items.tsv"
lf_supply_end:
	.balign 16
	.global lf_priority_start, lf_priority_end
lf_priority_start:
	.incbin "data/distribution_rules.tsv"
lf_priority_end:
	.balign 16
	.global lf_recon_start, lf_recon_end
lf_recon_start:
	.incbin "data/reconcile_kinds.tsv"
lf_recon_end:
	.balign 16
	.global lf_targets_start, lf_targets_end
lf_targets_start:
	.incbin "data/targets.tsv"
lf_targets_end:
	.balign 16
	.global lf_ptexts_start, lf_ptexts_end
lf_ptexts_start:
	.incbin "data/policy_texts.tsv"
lf_ptexts_end:
	.balign 16
	.global lf_openapi_start, lf_openapi_end
lf_openapi_start:
	.incbin "data/openapi.json"
lf_openapi_end:
	.section .note.GNU-stack,"",@progbits
