"""Organisers add delegates in the admin: who added them and why, and no faked privacy consent.

`privacy_accepted_at` may be empty, but only for a delegate an organiser added
(`added_basis` set): a constraint keeps every other row's acceptance. The badge
name becomes optional, as on the public form (saving fills it from the name).
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import registration.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0020_detail_changes_and_handovers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='delegate',
            name='delegate_text_lengths',
        ),
        migrations.AddField(
            model_name='delegate',
            name='added_basis',
            field=models.CharField(blank=True, choices=[('speaker', 'Speaker'), ('guest', 'VIP or guest'), ('walk_in', 'Walk-in on the day'), ('on_behalf', 'On their behalf, at their request'), ('other', 'Other (say why in the note)')], help_text='Why an organiser added them rather than their registering themselves.', max_length=20, verbose_name='added as'),
        ),
        migrations.AddField(
            model_name='delegate',
            name='added_by',
            field=models.ForeignKey(blank=True, help_text='The organiser who added them, if one did.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='delegate',
            name='added_note',
            field=models.CharField(blank=True, max_length=200, validators=[registration.validators.validate_single_line], verbose_name='note on adding them'),
        ),
        migrations.AlterField(
            model_name='delegate',
            name='badge_name',
            field=models.CharField(blank=True, help_text='Leave empty to use their first and last name.', max_length=100, validators=[registration.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='delegate',
            name='email_confirmed_at',
            field=models.DateTimeField(blank=True, help_text='When they showed the address is theirs (typed the emailed code or opened a booking link), or an organiser said so. Until then: no seats, waiting or ranking.', null=True, verbose_name='email confirmed at'),
        ),
        migrations.AlterField(
            model_name='delegate',
            name='privacy_accepted_at',
            field=models.DateTimeField(blank=True, help_text="When they agreed to the privacy notice on the registration form. Empty for someone an organiser added: see 'how they registered'.", null=True),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.CheckConstraint(condition=models.Q(('privacy_accepted_at__isnull', False), models.Q(('added_basis', ''), _negated=True), _connector='OR'), name='delegate_privacy_accepted_or_added'),
        ),
        migrations.AddConstraint(
            model_name='delegate',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('first_name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('last_name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('email'), 254), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('job_title'), 150), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('phone'), 40), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('dietary_requirements'), 1000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('accessibility_needs'), 1000), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('badge_name'), 100), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('added_note'), 200)), name='delegate_text_lengths'),
        ),
    ]
