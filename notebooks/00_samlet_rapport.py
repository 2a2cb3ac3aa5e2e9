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
first_period: str = "2016H1"  # første halvår i rapporten
last_period: str = "2022H2"  # sidste halvår i rapporten
report_type: str = "slutstatus"  # midtvejsstatus eller slutstatus
status_date: str = "2022-12-31"  # opgørelsesdato for målene
intervention: str = "2017H1"  # første halvår med den nye støttemodel (indført i marts 2017)
goals_file: str = ""  # målfil (YAML); tom betyder den medfølgende fil eller ANALYSE_GOALS
suppression_threshold: int = 5  # tal under dette vises som <5

# %%
# %matplotlib inline
# Opsætning. Rapportens læsere skal se resultater, ikke advarsler (en tabellinje, diskretionen
# ikke kan beskytte, nævnes i byggets opsummering).
from analyse.notebook_setup import check_parameters, injected_parameters, processed_folder, quiet_warnings

quiet_warnings()
check_parameters("00_samlet_rapport", globals())  # som 'analyse run' kontrollerer en parameterfil

from IPython.display import HTML, Markdown, display

from analyse import completeness, formatting, goal_periods, goals, rusmiddel, stats, summary
from analyse import goals_report as maalrapport
from analyse import rusmiddel_report

processed = processed_folder(processed_dir)
overskrift = maalrapport.report_heading(report_type, status_date)
periode = formatting.format_period_span(first_period, last_period)
indikatorer, forloeb = goals.read_data(processed)
# Nøgletallene fra Psykiatriens Hus skjuler det samme som rapport 02, der beskytter sine tabeller
# sammen med fremmøderegistreringerne (ellers kunne et skjult tal læses her, eller regnes ud som en forskel).
fremmoede_data = summary.read_visits(processed)
# Et sidste halvår, en kilde kun dækker en del af (udtrækket er trukket midt i det), er ikke med i nøgletal og
# udvikling; er det angivet som last_period, vises det markeret, men indgår ikke i udviklingen.
slutdatoer = completeness.last_dates(processed)
noegletal = summary.key_figures(indikatorer, forloeb, first_period, last_period, suppression_threshold,
                                visits=fremmoede_data, ends=slutdatoer, keep="last_period" in injected_parameters())
resultater = goals.evaluate_goals(
    goals.load_goals(goals_file or None), indikatorer, status_date, forloeb, min_n=suppression_threshold
)
its, its_tekst = summary.timetakst_its(indikatorer, first_period, last_period, intervention, ends=slutdatoer)
banner = formatting.synthetic_banner(processed)

# %%
if banner:
    display(HTML(banner))

# %% [markdown]
# # Samlet status til Socialudvalget
#
# Rapporten samler tallene for psykiatri- og udsatteområdet: udviklingen i de visiterede ydelser, brugen af Psykiatriens Hus, resultaterne af rusmiddelbehandlingen og status på målene i aftalen med byrådet. Første afsnit er en sammenfatning på én side; derefter følger nøgletallene, forbeholdene og et kort metodebilag.

# %%
# Linjen begynder med Periode:, så rapportens hoved tager den (ellers står perioden to gange).
display(Markdown(f"**Periode:** {periode}. **{overskrift}.**"))

# %% [markdown]
# ## Sammenfatning

# %%
display(Markdown("**Målene i aftalen**\n\n" + summary.goal_bullets(resultater, suppression_threshold)))
display(Markdown("**Udviklingen i perioden**\n\n" + summary.movement_bullets(noegletal)))
display(Markdown("**Vigtigste forbehold**\n\n"
                 + summary.caveat_bullets(processed, noegletal, first_period, last_period, its)))

# %% [markdown]
# ## Nøgletal

# %%
formatting.show_table(
    summary.key_figures_table(noegletal, suppression_threshold),
    caption="Tabel 1: Nøgletal fra alle kilder",
    source="; ".join(summary.SOURCE_LABELS.values()),
    period=periode,
    note=summary.key_figures_note(suppression_threshold),
    name=f"00_tabel_1_noegletal_{report_type}",
)

# %% [markdown]
# ### Visiterede ydelser

# %%
as2007 = summary.figures_for(noegletal, "as2007")
for tekst in summary.sentences(as2007):
    display(Markdown(tekst))
tabel = summary.figure_table(noegletal, [t.key for t in as2007])
if not tabel.empty:
    formatting.show_chart(
        tabel,
        title="Figur 1: Personer med en visiteret ydelse og med § 85 bostøtte (timetakst)",
        ylabel="Personer",
        source=summary.SOURCE_LABELS["as2007"],
        period=formatting.format_period_span(tabel.columns[0], tabel.columns[-1]),
        threshold=suppression_threshold,
        marks=summary.chart_marks(noegletal, [t.key for t in as2007]),
    )

# %% [markdown]
# ### Psykiatriens Hus

# %%
hus = summary.figures_for(noegletal, "fremmoede")
for tekst in summary.sentences(hus):
    display(Markdown(tekst))
tabel = summary.figure_table(noegletal, [t.key for t in hus])
if not tabel.empty:
    formatting.show_chart(
        tabel,
        title="Figur 2: Kontakter og unikke borgere i Psykiatriens Hus",
        ylabel="Antal",
        source=summary.SOURCE_LABELS["fremmoede"],
        period=formatting.format_period_span(tabel.columns[0], tabel.columns[-1]),
        threshold=suppression_threshold,
        marks=summary.chart_marks(noegletal, [t.key for t in hus]),
    )

# %% [markdown]
# ### Rusmiddelbehandling
#
# Andelene vises halvår for halvår. Rapporten om behandlingsresultaterne sammenligner desuden aftalens baseline med en samlet sammenligningsperiode, og målopfølgningen bruger det seneste hele kalenderår før opgørelsesdatoen. Tallene bygger på de samme forløb, men fordi perioderne er forskellige, kan andelene i de tre afsnit afvige lidt fra hinanden.

# %%
for tekst in summary.notes(summary.figures_for(noegletal, "rusmiddel")):
    display(Markdown(tekst))
for nr, tal in enumerate(summary.figures_for(noegletal, "rusmiddel"), start=3):
    display(Markdown(tal.sentence))
    if not tal.periods:
        continue
    gruppe = "Alkohol" if tal.key.startswith("alkohol") else "Stof"
    maal = summary.goal_for(resultater, "andel_reduktion_eller_ophoer", gruppe)
    titel = f"Figur {nr}: {tal.label}"
    tidsrum = formatting.format_period_span(tal.periods[0], tal.periods[-1])
    figur = rusmiddel_report.shares_chart(
        rusmiddel.outcome_table(forloeb, list(tal.periods)), gruppe,
        title=titel,
        source=summary.SOURCE_LABELS["rusmiddel"],
        period=tidsrum,
        baseline=maal.goal.baseline if maal else None,
        target=maal.goal.target if maal else None,
        threshold=suppression_threshold,
    )
    maalrapport.show_figure(figur, f"Linjediagram. {titel}, pr. halvår med baseline og mål. "
                                   f"Kilde: {summary.SOURCE_LABELS['rusmiddel']} · Periode: {tidsrum}")

# %% [markdown]
# ## Målopfølgning
#
# Tabellen viser status for hvert mål i aftalen. Rapporten *Målopfølgning* har baseline, konfidensintervaller og en figur for hvert måltema.

# %%
display(Markdown(maalrapport.status_sentence(resultater, suppression_threshold)))
for tekst in goal_periods.goal_sentences(resultater, slutdatoer, status_date):
    display(Markdown(tekst))
maaltabel = maalrapport.goals_table(resultater, suppression_threshold)
formatting.show_table(
    maaltabel[["Måltema", "Mål for", "Aktuel værdi", "Opgjort for", "Status"]],
    caption=f"Tabel 2: Status på målene – {overskrift.lower()}",
    source=maalrapport.source_text(resultater),
    period=overskrift,
    note=maalrapport.goals_table_note(suppression_threshold, intervals=False),
    name=f"00_tabel_2_maal_{report_type}",
)

# %% [markdown]
# ## Forbehold

# %%
if banner:
    display(Markdown(
        "**Syntetiske data.** Rapporten er bygget på opdigtede eksempeldata, der efterligner de "
        "offentliggjorte tal. Tallene handler ikke om rigtige borgere."
    ))
display(Markdown(
    "**Kildernes perioder.** Udtrækkene slutter ikke samtidig, så hver kilde vises for de halvår, "
    "den dækker inden for rapportens periode:\n\n" + "\n".join(f"- {linje}" for linje in summary.coverage_lines(noegletal))
))
display(Markdown("**Datakvalitet.** " + " ".join(summary.quality_caveats(processed))))
huller = summary.gap_caveat(processed, first_period, last_period)
if huller:
    display(Markdown(f"**Glemte registreringer.** {huller}"))
display(Markdown(
    "**Registreringspraksis.** Tallene afhænger af, hvordan bevillinger, fremmøder og afslutninger "
    "registreres. En bevilling, der ikke er afsluttet i systemet, tæller med, selv om borgeren er stoppet, "
    "og praksis kan ændre sig over tid."
))

# %% [markdown]
# ## Bilag: metode
#
# **Udvikling over tid.** For antal (personer, kontakter) er udviklingen beregnet med en log-lineær Poisson-regression over halvårene; hvor tallene svinger mere, end modellen forventer, er usikkerheden gjort større (quasi-Poisson). For andele (behandlingsresultater) er udviklingen beregnet med en logistisk regression. "Statistisk sikker" betyder, at en så stor udvikling sjældent (under 5 % af gangene) ville opstå ved tilfældigheder alene, hvis der ingen reel ændring var. Modellerne antager, at halvårene er uafhængige af hinanden. Det er antallet af personer med en igangværende bevilling ikke: de fleste har den samme bevilling i flere halvår, og det samme gælder borgere, der kommer i Psykiatriens Hus år efter år. "Statistisk sikker" skal derfor læses med forsigtighed.

# %%
for tal in noegletal:
    if tal.trend is not None and tal.unit == "antal":
        display(Markdown(f"*{tal.label}:* {stats.describe_model(tal.trend)}"))

# %% [markdown]
# ### Den nye støttemodel og § 85 bostøtte (timetakst)

# %%
display(Markdown(
    "Randers Kommune udviklede i marts 2017 en ny støttemodel på socialområdet med en bredere vifte af "
    "uvisiterede tilbud. Ifølge projektansøgningen er antallet af borgere med § 85-ydelser faldet siden "
    "2. halvår 2017. En afbrudt tidsserie undersøger, om antallet af personer med § 85 bostøtte (timetakst) "
    "skiftede niveau eller retning, da modellen kom; knækket er lagt i "
    f"{formatting.format_half_year(intervention)}, det første halvår med modellen."
))
display(Markdown(its_tekst))
if its is not None:
    formatting.show_table(
        summary.its_table(its),
        caption="Tabel 3: Afbrudt tidsserie for § 85 bostøtte (timetakst)",
        source=summary.SOURCE_LABELS["as2007"],
        period=formatting.format_period_span(its.first_period, its.last_period),
        note="En faktor på 1 betyder ingen ændring; 0,95 betyder 5 % færre, 1,10 betyder 10 % flere.",
        name=f"00_tabel_3_afbrudt_tidsserie_{report_type}",
    )
    display(Markdown(stats.describe_its_model(its)))

# %% [markdown]
# ### Status på målene

# %%
display(Markdown(maalrapport.rules_for_report(suppression_threshold)))

display(Markdown(
    f"**Fortrolighed.** Antal fra 1 til {suppression_threshold - 1} personer eller forløb vises som "
    f"&lt;{suppression_threshold}. En andel vises ikke, når den bygger på under {suppression_threshold} "
    f"forløb, eller når den ville afsløre et tal under {suppression_threshold}. Hvor et måls værdi ikke "
    "vises, vises dets status heller ikke ('Ikke vist'). Rapporten indeholder "
    "ingen CPR-numre eller navne."
))

# %% tags=["remove-cell"]
# Maskinlæsbart resumé til kontrol (vises ikke i rapporten).
display({"application/vnd.analyse.summary+json": {
    "report_type": report_type, "status_date": status_date, "first_period": first_period,
    "last_period": last_period, **summary.machine_summary(noegletal, resultater, its)}}, raw=True)

# %%
if banner:
    display(HTML(banner))
