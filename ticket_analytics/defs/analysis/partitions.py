"""The map runs per month and batch; the reduce and the publishers per month."""

import warnings

import dagster as dg

from ticket_analytics.analysis.batches import BATCH_KEYS
from ticket_analytics.defs.models.partitions import MONTHLY

# A fixed batch dimension shared by every month (20 batches of 50 tickets): a month with fewer
# tickets completes its unused batches at once, empty. Dagster cannot vary a dimension's
# keys per month without dynamic partitions, which the UI would show as one bar per ticket set.
BATCHES = dg.StaticPartitionsDefinition(list(BATCH_KEYS))
MONTH_BATCHES = dg.MultiPartitionsDefinition({"month": MONTHLY, "batch": BATCHES})
# The reduce reads every batch of its month. Dagster marks this mapping beta (DESIGN.md: a
# custom mapping fails in the daemon); users should not see that on every command.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    BATCHES_OF_MONTH = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="month")
