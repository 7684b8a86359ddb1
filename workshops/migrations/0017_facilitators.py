# Facilitators (issue 15): who runs each workshop, signing in by emailed link; the
# permission to let one read access needs at a session (Organisers hold it); who scanned
# at a session's door, and who wrote an email to a session, when a facilitator did.

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import registration.validators
from django.db import migrations, models


def grant(apps, schema_editor):
    """Organisers manage facilitators and grant needs access; Staff read the list."""
    create_permissions(global_apps.get_app_config("workshops"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="workshops")
    organisers, _ = Group.objects.get_or_create(name="Organisers")
    organisers.permissions.add(
        *ours.filter(content_type__model="facilitator"),
        ours.get(codename="grant_needs_access"),
    )
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(ours.get(codename="view_facilitator"))


class Migration(migrations.Migration):

    dependencies = [
        ('registration', '0019_organisers_manage_accounts'),
        ('workshops', '0016_door_staff'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        # Schema first; the permissions are granted at the end.
        migrations.AlterField(
            model_name='announcement',
            name='audience',
            field=models.CharField(choices=[('session', 'Everyone booked on one session'), ('time_slot', 'Everyone booked in one time slot'), ('event', 'Every registered delegate of the event'), ('attended', 'Everyone checked in at one session')], max_length=10),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='by_name',
            field=models.CharField(help_text="The door staff's account or link, or the facilitator.", max_length=150),
        ),
        migrations.CreateModel(
            name='Facilitator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=150, validators=[registration.validators.validate_single_line])),
                ('email', models.EmailField(help_text='Their sign-in links are sent here; nobody else can use them.', max_length=254)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='facilitators', to='registration.event')),
                ('needs_sessions', models.ManyToManyField(blank=True, help_text="Sessions of their workshops where their roster shows delegates' accessibility needs. Leave empty unless they need them to run the session.", related_name='+', to='workshops.session', verbose_name='may see access needs at')),
                ('workshops', models.ManyToManyField(help_text="They see the rosters of these workshops' sessions, and no others.", related_name='facilitators', to='workshops.workshop')),
            ],
            options={
                'ordering': ['name'],
                'permissions': [('grant_needs_access', "Can let a facilitator see delegates' accessibility needs at a session")],
            },
        ),
        migrations.AddField(
            model_name='announcement',
            name='facilitator',
            field=models.ForeignKey(blank=True, help_text='The facilitator who wrote and sent it to their session, if one did.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='announcements', to='workshops.facilitator'),
        ),
        migrations.AddField(
            model_name='checkin',
            name='facilitator',
            field=models.ForeignKey(blank=True, help_text="The facilitator who scanned it at their own session's door, if one did.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checkins', to='workshops.facilitator'),
        ),
        migrations.CreateModel(
            name='FacilitatorLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('facilitator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='workshops.facilitator')),
            ],
            options={
                'ordering': ['-created_at'],
                'abstract': False,
            },
        ),
        migrations.AddConstraint(
            model_name='facilitator',
            constraint=models.UniqueConstraint(models.F('event'), django.db.models.functions.text.Lower('email'), name='facilitator_one_per_email', violation_error_message='A facilitator with this email address already exists for this event.'),
        ),
        migrations.AddConstraint(
            model_name='facilitator',
            constraint=models.CheckConstraint(condition=models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name'), 150), django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('email'), 254)), name='facilitator_text_lengths'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
]
