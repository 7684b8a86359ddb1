"""Export records say which rows were asked for: an admin list's query string and selection.

Records made before this say nothing ({}).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workshops", "0011_text_length_limits")]

    operations = [
        migrations.AddField(
            model_name="exportrecord",
            name="filters",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The admin list's query string and the rows selected.",
            ),
        ),
    ]
