"""Every text field people type has a limit the database holds (see registration.models.text_limits)."""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0011_trim_over_long_text'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agency',
            name='email_domains',
            field=models.TextField(blank=True, help_text='One per line, e.g. police.uk. Addresses at a subdomain (kent.police.uk) qualify too.', max_length=2000, verbose_name='work email domains'),
        ),
        migrations.AlterField(
            model_name='delegate',
            name='accessibility_needs',
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='delegate',
            name='dietary_requirements',
            field=models.TextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='event',
            name='day_two_summary',
            field=models.TextField(blank=True, help_text='Shown on the home page: how the day-two workshops work.', max_length=2000),
        ),
        migrations.AddConstraint(
            model_name='agency',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 200), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('email_domains'), 2000)), name='agency_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('first_name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('last_name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('email'), 254), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('job_title'), 150), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('phone'), 40), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('dietary_requirements'), 1000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('accessibility_needs'), 1000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('badge_name'), 100)), name='delegate_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='event',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 200), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('tagline'), 300), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('venue_name'), 200), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('venue_address'), 300), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('day_two_summary'), 2000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('contact_email'), 254)), name='event_text_lengths'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('code'), 40), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('note'), 200)), name='invitation_text_lengths'),
        ),
    ]
