from bedtales.cli.main import main

main()
