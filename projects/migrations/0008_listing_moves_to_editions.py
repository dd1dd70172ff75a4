# A project's number, heading and new mark in the plan move to its listing in an edition
# (plans.Listing); plans 0002 copied them into the 2023 edition first.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0007_latest_development_by_last_date'),
        ('plans', '0002_edition_2023'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='project',
            name='projects_project_group_nr',
        ),
        migrations.RemoveIndex(
            model_name='project',
            name='projects_project_is_new_nr',
        ),
        migrations.RemoveField(
            model_name='project',
            name='listing_group',
        ),
        migrations.RemoveField(
            model_name='historicalproject',
            name='listing_group',
        ),
        migrations.RemoveField(
            model_name='historicalproject',
            name='is_new',
        ),
        migrations.RemoveField(
            model_name='project',
            name='is_new',
        ),
        migrations.AlterField(
            model_name='historicalproject',
            name='number',
            field=models.PositiveIntegerField(db_index=True, help_text="The project's number in the tracker, fixed when it is added (the 2023 plan's number for its projects). Its number in each edition is in that edition's listing.", verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='project',
            name='number',
            field=models.PositiveIntegerField(help_text="The project's number in the tracker, fixed when it is added (the 2023 plan's number for its projects). Its number in each edition is in that edition's listing.", unique=True, verbose_name='number'),
        ),
        migrations.DeleteModel(
            name='ListingGroup',
        ),
    ]
