import uPlot from "uplot";
console.log(uPlot);
