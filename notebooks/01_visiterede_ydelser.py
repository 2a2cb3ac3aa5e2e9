# ---
# jupyter:
#   analyse:
#     requires:
#     - as2007
#     sources:
#     - as2007
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
first_period: str = "2016H1"  # første halvår i rapporten
last_period: str = "2019H1"  # sidste halvår i rapporten
suppression_threshold: int = 5  # tal under dette vises som <5

# %%
# %matplotlib inline
# Opsætning. Rapportens læsere skal se resultater, ikke advarsler (en tabellinje, diskretionen
# ikke kan beskytte, nævnes i byggets opsummering).
from analyse.notebook_setup import check_parameters, clamp_to_data, injected_parameters, processed_folder, quiet_warnings

quiet_warnings()
check_parameters("01_visiterede_ydelser", globals())  # som 'analyse run' kontrollerer en parameterfil

from IPython.display import HTML, Markdown, display

from analyse import as2007_report, completeness, formatting, periods, stats, suppression

processed = processed_folder(processed_dir)
kilde = "AS2007 (visiterede ydelser)"
indikatorer = periods.read_indicators(processed)
# Standardperioden tilpasses data, hvis AS2007-udtrækket er kortere; en angivet periode gør ikke. Et sidste
# halvår, udtrækket kun dækker en del af, er ikke med; er det angivet, vises det markeret, men uden for udviklingen.
slutdato = completeness.last_date(processed, "as2007")
first_period, last_period, periodetekst = clamp_to_data(
    indikatorer, "unikke_personer_visiteret_ydelse", first_period, last_period,
    explicit=injected_parameters(), source="AS2007-udtrækket", last_date=slutdato, source_key="as2007",
)
halvaar = periods.half_year_range(first_period, last_period)
delvis = completeness.split_periods(halvaar, slutdato, "as2007", keep=True).partial
periode = formatting.format_period_span(first_period, last_period)
banner = formatting.synthetic_banner(processed)

# %%
if banner:
    display(HTML(banner))

# %% [markdown]
# # Visiterede ydelser (AS2007)
#
# Rapporten viser, hvor mange borgere i målgruppen der har modtaget en visiteret ydelse, i alt og fordelt på ydelsestype, halvår for halvår.

# %%
display(Markdown(f"**Periode:** {periode}. **Kilde:** {kilde}."))
if periodetekst:
    display(Markdown(periodetekst))

# %% [markdown]
# ## Unikke personer pr. halvår

# %%
# Tabel 1 er Tabel 2's totalrække; begge beskyttes sammen og som i den samlede rapport (00).
tabeller = as2007_report.grant_tables(indikatorer, halvaar, suppression_threshold)
tabel1, tabel2, vist1, vist2 = (tabeller[navn] for navn in ("tabel1", "tabel2", "vist1", "vist2"))
formatting.show_table(
    completeness.mark(vist1, delvis, slutdato).rename_axis(""),
    caption="Tabel 1: Unikke personer, der har modtaget en visiteret ydelse",
    source=kilde,
    period=periode,
    note=suppression.suppression_note(vist1, suppression_threshold),
    name="01_tabel_1_unikke_personer",
)

# %%
formatting.show_chart(
    vist1,
    title="Figur 1: Unikke personer med en visiteret ydelse",
    ylabel="Personer",
    source=kilde,
    period=periode,
    threshold=suppression_threshold,
    marks=completeness.chart_marks(delvis, slutdato),
)

# %%
# Som i den samlede rapport: under fire halvår er der ingen trend, kun første og sidste tal (som Tabel 1 viser dem).
trend, trendtekst = stats.count_trend(
    tabel1.loc["I alt"], "antallet af unikke personer med en visiteret ydelse",
    suppression_threshold, shown=vist1.loc["I alt"], partial=delvis,
)
display(Markdown(trendtekst))

# %% [markdown]
# ## Fordelt på ydelsestype

# %%
formatting.show_table(
    completeness.mark(vist2, delvis, slutdato).rename_axis("Ydelsestype"),
    caption="Tabel 2: Unikke personer, der har modtaget en visiteret ydelse, fordelt på ydelsestype",
    source=kilde,
    period=periode,
    note=" ".join(filter(None, [
        "En person med flere ydelsestyper tælles under hver type, men kun én gang i 'I alt'.",
        suppression.suppression_note(vist2, suppression_threshold),
    ])),
    name="01_tabel_2_pr_ydelsestype",
)

# %%
formatting.show_chart(
    vist2.loc[["§ 85 bostøtte timetakst", "§ 85 bostøtte døgntakst"]],
    title="Figur 2: § 85 bostøtte – timetakst og døgntakst",
    ylabel="Personer",
    source=kilde,
    period=periode,
    threshold=suppression_threshold,
    marks=completeness.chart_marks(delvis, slutdato),
)

# %% [markdown]
# ## Om tallene
#
# **Hvem tælles?** En person tælles i et halvår, hvis vedkommende har mindst én visiteret ydelse, der er aktiv i halvåret: ydelsen er bevilget fra senest halvårets sidste dag, og den har enten ingen slutdato eller slutter tidligst halvårets første dag. I "I alt" tælles en person kun én gang pr. halvår; i fordelingen på ydelsestype tælles personen under hver type, vedkommende har haft i halvåret.
#
# **Kilde.** Udtræk af visiterede ydelser fra fagsystemet AS2007. Ydelsestyperne er samlet i de kategorier, der bruges i den politiske rapportering. Personerne er pseudonymiserede; rapporten indeholder ingen CPR-numre eller navne.
#
# **Forbehold.** Tallene afhænger af, hvordan bevillinger er registreret i AS2007. En bevilling, der ikke er afsluttet i systemet, tæller med, selv om borgeren er stoppet, og registreringer kan være rettet efter tidligere udtræk. Tal i tidligere offentliggjorte opgørelser kan derfor afvige en smule.

# %%
kvalitet = formatting.quality_summary(processed, "as2007", "AS2007")
if kvalitet:
    display(Markdown(kvalitet))
if trend is not None:
    display(Markdown(stats.describe_model(trend)))
display(Markdown(suppression.methods_note(suppression_threshold)))

# %%
if banner:
    display(HTML(banner))
