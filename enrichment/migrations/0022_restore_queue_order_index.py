# The queue's order index (0019) is raw SQL that Django's model state does not know, so SQLite's
# table rebuild in 0021 (adding a column) dropped it, and the queue list sorted every request
# again. Created again here; IF NOT EXISTS leaves PostgreSQL's (never dropped) as it is.

from importlib import import_module

from django.db import migrations

QUEUE_ORDER_INDEX = import_module(
    "enrichment.migrations.0019_queue_order_indexes"
).QUEUE_ORDER_INDEX


class Migration(migrations.Migration):
    dependencies = [
        ("enrichment", "0021_request_awaiting_title_search"),
    ]

    operations = [
        migrations.RunSQL(QUEUE_ORDER_INDEX, migrations.RunSQL.noop, elidable=False),
    ]
