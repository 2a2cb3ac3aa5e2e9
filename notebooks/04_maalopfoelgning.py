# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,analyse,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
processed_dir: str = ""  # mappe med renset data; tom betyder projektets data/processed
status_date: str = "2022-12-31"  # opgørelsesdato
report_type: str = "slutstatus"  # midtvejsstatus eller slutstatus
goals_file: str = ""  # målfil (YAML); tom betyder den medfølgende fil eller ANALYSE_GOALS
suppression_threshold: int = 5  # antal under dette vises som <5, og andele på færre forløb vises ikke

# %%
# %matplotlib inline
# Opsætning. Rapportens læsere skal se resultater, ikke advarsler (en tabellinje, diskretionen
# ikke kan beskytte, nævnes i byggets opsummering).
from analyse.notebook_setup import check_parameters, processed_folder, quiet_warnings

quiet_warnings()
check_parameters("04_maalopfoelgning", globals())  # som 'analyse run' kontrollerer en parameterfil

from IPython.display import HTML, Markdown, display

from analyse import completeness, formatting, goal_periods, goals
from analyse import goals_report as rapport

processed = processed_folder(processed_dir)
overskrift = rapport.report_heading(report_type, status_date)
indikatorer, forloeb = goals.read_data(processed)
resultater = goals.evaluate_goals(
    goals.load_goals(goals_file or None), indikatorer, status_date, forloeb, min_n=suppression_threshold
)
kilde = rapport.source_text(resultater)
periode = rapport.report_period(report_type, status_date, resultater)
banner = formatting.synthetic_banner(processed)

# %%
if banner:
    display(HTML(banner))

# %% [markdown]
# # Målopfølgning: aftalen med byrådet
#
# Aftalen mellem byrådet og Center for Særlig Social Indsats sætter mål for centerets borgere under fire måltemaer: mestring af eget liv, uddannelse og beskæftigelse, sundhed og socialt liv. For hvert mål viser rapporten aftalens baseline og mål, den aktuelle værdi med dens usikkerhed, ændringen siden baseline og status.

# %%
display(Markdown(f"**Periode:** {periode}. **Kilde:** {kilde}."))

# %% [markdown]
# ## Status for målene

# %%
display(Markdown(rapport.status_sentence(resultater, suppression_threshold)))
# Et mål, hvis værdi bygger på en periode, kildens data kun dækker en del af (opgørelsesdatoen ligger efter
# udtrækkets slutning), siges at gøre det.
for tekst in goal_periods.goal_sentences(resultater, completeness.last_dates(processed), status_date):
    display(Markdown(tekst))
formatting.show_table(
    rapport.goals_table(resultater, suppression_threshold),
    caption=f"Tabel 1: Målene i aftalen – {overskrift.lower()}",
    source=kilde,
    period=overskrift,
    note=rapport.goals_table_note(suppression_threshold),
    name=f"04_tabel_1_maal_{report_type}",
)

# %% [markdown]
# ## Sådan er status vurderet
#
# Hvert mål får én af fire statusser efter faste regler. Hvor værdien ikke må vises, vises status heller ikke:

# %%
display(Markdown(rapport.rules_for_report(suppression_threshold)))

# %%
for nr, tema in enumerate(rapport.themes_in(resultater), start=1):
    navn = tema.capitalize()
    display(Markdown(f"## {navn}"))
    rapport.show_theme_chart(
        resultater, tema,
        title=f"Figur {nr}: {navn} – baseline, aktuel værdi og mål",
        source=kilde, period=overskrift, threshold=suppression_threshold,
    )
    for tekst in rapport.theme_sentences(resultater, tema, suppression_threshold):
        display(Markdown(tekst))

# %% [markdown]
# ## Om tallene
#
# **Baseline og mål** er aftalens egne tal. De nationale mål er opgjort nationalt og kan ikke sammenlignes direkte med centerets egne tal; det står ved de enkelte mål. Aftalen skriver desuden, at de nationale mål er længerevarende mål, som ikke nødvendigvis forventes realiseret i 2020.
#
# **Den aktuelle værdi** er beregnet i dette projekt ud fra de rensede data for den periode, målets datakilde angiver (typisk det seneste hele kalenderår til og med opgørelsesdatoen). For behandlingsresultaterne tæller de forløb, der er afsluttet i perioden; forløb afsluttet, fordi borgeren er flyttet eller død, tæller ikke med.
#
# **Usikkerhed.** Konfidensintervallet for den aktuelle værdi (Wilson) viser, hvor meget andelen kunne svinge alene ved tilfældigheder. Ændringen siden baseline har et Newcombe-interval, hvor aftalen oplyser, hvor mange borgere baseline bygger på (N). Status vurderes på værdierne selv, som aftalen gør; intervallerne viser, om en forskel kan skyldes tilfældigheder.
#
# **Målfilen.** Målene står i en fil, som forvaltningen retter, når en ny aftale indgås. Filen kontrolleres, før rapporten dannes.

# %%
kvalitet = formatting.quality_summary(processed, "rusmiddel", "Rusmiddelcenter Randers")
if kvalitet:
    display(Markdown(kvalitet))

display(Markdown(
    f"**Fortrolighed.** Antal fra 1 til {suppression_threshold - 1} personer eller forløb vises som "
    f"&lt;{suppression_threshold}. En andel vises ikke, når den bygger på under {suppression_threshold} "
    f"forløb, eller når den ville afsløre et tal under {suppression_threshold}. Hvor et måls værdi ikke "
    "vises, vises dets status heller ikke ('Ikke vist'). Rapporten indeholder "
    "ingen CPR-numre eller navne."
))

# %% tags=["remove-cell"]
# Maskinlæsbart resumé til kontrol (vises ikke i rapporten).
display({"application/vnd.analyse.summary+json": {"report_type": report_type, "status_date": status_date,
         "goals": rapport.machine_summary(resultater)}}, raw=True)

# %%
if banner:
    display(HTML(banner))
