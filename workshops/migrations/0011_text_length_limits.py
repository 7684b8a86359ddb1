"""Every text field people type has a limit the database holds (see registration.models.text_limits)."""

import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0012_text_length_limits'),
        ('workshops', '0010_trim_over_long_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='announcement',
            name='body',
            field=models.TextField(help_text="Plain text. Each delegate's greeting is added for you.", max_length=10000),
        ),
        migrations.AlterField(
            model_name='bookingchange',
            name='reason',
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='workshop',
            name='summary',
            field=models.TextField(help_text='A short description delegates read before choosing.', max_length=2000),
        ),
        migrations.AddConstraint(
            model_name='announcement',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('subject'), 200), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('body'), 10000)), name='announcement_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='bookingchange',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('reason'), 1000)), name='bookingchange_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('location'), 200)), name='room_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='timeslot',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 100)), name='timeslot_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='workshop',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title'), 200), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('summary'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('facilitator'), 200)), name='workshop_text_lengths'),
        ),
    ]
